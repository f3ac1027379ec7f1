/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bad_return: loop_step returns 2, which is neither IOU_LOOP_CONTINUE nor
 * IOU_LOOP_STOP; io_uring_enter must fail with EINVAL after one step.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

__u32 steps;

SEC("struct_ops/bad_return_step")
URING_BPF_LOOP_STEP(bad_return_step, ctx, lp)
{
	steps++;
	return 2;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops bad_return_ops = {
	.loop_step = (void *)bad_return_step,
};
