/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nops_seq: sequential NOPs. Each loop step reaps the previous NOP's CQE and
 * submits the next one, so exactly one request is in flight; stops after
 * nr_nops completions.
 *
 * Globals (the runner prints them):
 *   .data  nr_nops (default 1000)          how many NOPs to run; --set nr_nops=N
 *   .bss   nops_submitted, nops_completed, steps, error (0 or -errno)
 * Runner usage: no MEM region needed.
 *   uring-bpf run nops_seq --set nr_nops=100000
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NOP_TOKEN 0x5e9001ULL

/* Filled by the runner from the ring before load. */
const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__u32 nr_nops = 1000;

__u32 nops_submitted;
__u32 nops_completed;
__u32 steps;
__s32 error;

SEC("struct_ops.s/nops_seq_step")
URING_BPF_LOOP_STEP(nops_seq_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	struct io_uring_cqe cqe;
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

	if (iou_reap_cqe(rings, cq_entries, &cqe)) {
		if (cqe.user_data != NOP_TOKEN || cqe.res < 0) {
			error = cqe.res < 0 ? cqe.res : -EIO;
			return IOU_LOOP_STOP;
		}
		nops_completed++;
	}
	if (nops_completed >= nr_nops)
		return IOU_LOOP_STOP;

	if (nops_submitted == nops_completed) {
		iou_prep_nop(&sqes[0], NOP_TOKEN);
		ret = bpf_io_uring_submit_sqes(ctx, 1);
		if (ret != 1) {
			error = ret < 0 ? ret : -EIO;
			return IOU_LOOP_STOP;
		}
		nops_submitted++;
	}

	/* Sleep until the in-flight NOP completes (not at all if it already has). */
	lp->cq_wait_idx = rings->cq_head + 1;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops nops_seq_ops = {
	.loop_step = (void *)nops_seq_step,
};
