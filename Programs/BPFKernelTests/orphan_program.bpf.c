/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * orphan_program: a second struct_ops program that no struct_ops variable
 * uses; the kernel could not tell which member it implements, so the loader
 * refuses the object (as libbpf does) before creating anything.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/used_step")
URING_BPF_LOOP_STEP(used_step, ctx, lp)
{
	return IOU_LOOP_STOP;
}

SEC("struct_ops/orphan_step")
URING_BPF_LOOP_STEP(orphan_step, ctx, lp)
{
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops used_ops = {
	.loop_step = (void *)used_step,
};
