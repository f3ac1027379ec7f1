/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * count_steps: counts its loop steps in .bss and stops at once, so each
 * io_uring_enter on an attached ring adds exactly one step. Used for attach,
 * detach, reattach and the attach errors. Not sleepable: it calls no kfunc.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

__u32 steps;

SEC("struct_ops/count_step")
URING_BPF_LOOP_STEP(count_step, ctx, lp)
{
	steps++;
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops count_ops = {
	.loop_step = (void *)count_step,
};
