/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * not_sleepable: calls the sleepable kfunc bpf_io_uring_submit_sqes from a
 * program in SEC("struct_ops/...") instead of SEC("struct_ops.s/..."); the
 * verifier must reject it ("program must be sleepable").
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

__s32 submitted;

SEC("struct_ops/not_sleepable_step")
URING_BPF_LOOP_STEP(not_sleepable_step, ctx, lp)
{
	submitted = bpf_io_uring_submit_sqes(ctx, 1); /* rejected: needs a sleepable program */
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops not_sleepable_ops = {
	.loop_step = (void *)not_sleepable_step,
};
