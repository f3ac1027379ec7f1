/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * not_sleepable: MEANT TO BE REJECTED AT LOAD. The step is in
 * SEC("struct_ops/...") (no ".s", so not sleepable) yet calls the sleepable
 * kfunc bpf_io_uring_submit_sqes (KF_SLEEPABLE). The kernel verifier rejects
 * it with "program must be sleepable to call sleepable kfunc
 * bpf_io_uring_submit_sqes"; the userspace engine must refuse it at load with
 * a similar message naming the kfunc (and, ideally, the instruction / the
 * source line containing "bpf_io_uring_submit_sqes(ctx, 1)").
 * Apart from that it is a valid one-NOP program: submit one NOP at SQE 0,
 * STOP.
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *   .bss    __u32 steps; __s32 submit_ret   (never written: the load fails)
 * Runner settings: none.
 * Expected: load fails (kernel: EACCES/EINVAL from the verifier with the message
 *   above; user mode: a load error naming bpf_io_uring_submit_sqes and "sleepable");
 *   loop_step never runs, steps == 0.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__u32 steps;
__s32 submit_ret;

SEC("struct_ops/not_sleepable_step")
URING_BPF_LOOP_STEP(not_sleepable_step, ctx, lp)
{
	struct io_uring_sqe *sqes;

	steps++;
	sqes = (struct io_uring_sqe *)bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
							      IOU_SQ_REGION_SIZE(sq_entries));
	if (!sqes)
		return IOU_LOOP_STOP;
	iou_prep_nop(&sqes[0], 1);
	submit_ret = bpf_io_uring_submit_sqes(ctx, 1);
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops not_sleepable_ops = {
	.loop_step = (void *)not_sleepable_step,
};
