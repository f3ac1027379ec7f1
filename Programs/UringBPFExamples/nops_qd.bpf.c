/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nops_qd: NOPs at a queue depth. Keeps up to queue_depth NOPs in flight
 * (never more than sq_entries) until nr_nops have completed.
 *
 * Globals (the runner prints them):
 *   .data  nr_nops (default 1000), queue_depth (default 8); --set to change
 *   .bss   nops_submitted, nops_completed, inflight, steps, error (0 or -errno)
 * Runner usage: no MEM region needed.
 *   uring-bpf run nops_qd --set nr_nops=100000 --set queue_depth=32
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NOP_TOKEN 0x5e9002ULL
/* Constant per-step caps keep the verifier's work bounded whatever ring size
 * the runner fills in; anything left over is handled by the next step. */
#define MAX_REAP_PER_STEP 64
#define MAX_SUBMIT_PER_STEP 128

const volatile __u32 sq_entries = 32;
const volatile __u32 cq_entries = 64;

__u32 nr_nops = 1000;
__u32 queue_depth = 8;

__u32 nops_submitted;
__u32 nops_completed;
__u32 inflight;
__u32 steps;
__s32 error;

SEC("struct_ops.s/nops_qd_step")
URING_BPF_LOOP_STEP(nops_qd_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	struct io_uring_cqe cqe;
	__u32 to_submit = 0, i;
	int ret;

	steps++;
	sqes = (struct io_uring_sqe *)bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
							      IOU_SQ_REGION_SIZE(sq_entries));
	rings = (struct iou_rings_header *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
								   IOU_CQ_REGION_SIZE(cq_entries));
	if (!sqes || !rings) {
		error = -EINVAL;
		return IOU_LOOP_STOP;
	}

	/* Reap what is there (at most MAX_REAP_PER_STEP per step). */
	for (i = 0; i < MAX_REAP_PER_STEP; i++) {
		if (!iou_reap_cqe(rings, cq_entries, &cqe))
			break;
		if (cqe.user_data != NOP_TOKEN || cqe.res < 0) {
			error = cqe.res < 0 ? cqe.res : -EIO;
			return IOU_LOOP_STOP;
		}
		nops_completed++;
		inflight--;
	}
	if (nops_completed >= nr_nops)
		return IOU_LOOP_STOP;

	/* Refill up to the queue depth, without overshooting nr_nops. */
	if (inflight < queue_depth)
		to_submit = queue_depth - inflight;
	to_submit = URING_BPF_MIN(to_submit, nr_nops - nops_submitted);
	if (to_submit) {
		/* SQ_REWIND: the SQEs of this step are always 0..n-1. */
		for (i = 0; i < to_submit && i < sq_entries && i < MAX_SUBMIT_PER_STEP; i++)
			iou_prep_nop(&sqes[i], NOP_TOKEN);
		ret = bpf_io_uring_submit_sqes(ctx, i);
		if (ret != (int)i) {
			error = ret < 0 ? ret : -EIO;
			return IOU_LOOP_STOP;
		}
		nops_submitted += i;
		inflight += i;
	}

	/* Sleep until everything in flight has completed, or not at all if CQEs wait. */
	if (rings->cq_tail != rings->cq_head)
		lp->cq_wait_idx = rings->cq_head;
	else
		lp->cq_wait_idx = rings->cq_head + inflight;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops nops_qd_ops = {
	.loop_step = (void *)nops_qd_step,
};
