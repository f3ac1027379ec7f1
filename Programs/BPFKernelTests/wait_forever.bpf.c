/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * wait_forever: asks to sleep until CQE 1 arrives on a ring where nothing is
 * ever submitted, so only a signal ends the io_uring_enter (EINTR). Its state
 * lives in globals, so a later enter resumes: once user space sets `release`,
 * the next step stops.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

__u32 steps;
__u32 release;

SEC("struct_ops/wait_forever_step")
URING_BPF_LOOP_STEP(wait_forever_step, ctx, lp)
{
	steps++;
	if (release)
		return IOU_LOOP_STOP;
	/* The CQ tail stays 0: nothing completes, so this waits until a signal. */
	lp->cq_wait_idx = 1;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops wait_forever_ops = {
	.loop_step = (void *)wait_forever_step,
};
