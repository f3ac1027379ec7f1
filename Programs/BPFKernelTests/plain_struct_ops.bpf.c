/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * plain_struct_ops: a struct_ops variable in .struct_ops (registered by a map
 * update, outliving the process) instead of .struct_ops.link. The loader
 * supports only links and must say so before creating anything.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/plain_step")
URING_BPF_LOOP_STEP(plain_step, ctx, lp)
{
	return IOU_LOOP_STOP;
}

SEC(".struct_ops")
struct io_uring_bpf_ops plain_ops = {
	.loop_step = (void *)plain_step,
};
