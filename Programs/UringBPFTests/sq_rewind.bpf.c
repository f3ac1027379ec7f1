/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sq_rewind: three batches of NOPs, one batch per step, always written at SQE
 * indices 0..n-1 as on an IORING_SETUP_SQ_REWIND ring (7.1+): batch 1 = 2 NOPs,
 * batch 2 = 3 NOPs, batch 3 = 4 NOPs (9 in total). The program never writes
 * sq.head or sq.tail; after each submit it records both as read from the CQ
 * region (offsets 0 and 4). On a real SQ_REWIND ring the kernel never moves
 * them, so an emulation must show the program 0 as well.
 *
 * Each step: reap every ready CQE (checking the token
 * 0x5100 + 16 * batch + index, batch 1..3); then, if batches remain, fill SQEs
 * 0..n-1, submit n, record; STOP once all 3 batches were submitted and all 9
 * CQEs reaped; else cq_wait_idx = cq.head + inflight, CONTINUE.
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *           (needs sq_entries >= 4; cq_entries >= 4)
 *   .bss    __u32 batches          batches submitted (3 at the end)
 *           __s32 submit_ret_1, submit_ret_2, submit_ret_3   submit results
 *           __u32 sq_head_1, sq_tail_1, sq_head_2, sq_tail_2, sq_head_3, sq_tail_3
 *                                  sq.head / sq.tail right after submit k
 *           __u32 cqes_seen        CQEs reaped (9 at the end)
 *           __u32 bad_tokens       CQEs whose user_data was not the expected token
 *           __u32 inflight, steps
 *           __s32 error            0, or the errno of a failed/short submit, or
 *                                  -EINVAL when a region is missing
 * Runner settings: none (ring with sq_entries >= 4).
 * Expected: run returns 0; batches == 3; submit_ret_1 == 2, submit_ret_2 == 3,
 *   submit_ret_3 == 4; sq_head_k == 0 and sq_tail_k == 0 for k = 1, 2, 3;
 *   cqes_seen == 9; bad_tokens == 0; inflight == 0; error == 0;
 *   steps == 4 (user mode; each step waits for the previous batch, so step k+1
 *   reaps batch k and step 4 STOPs; in the kernel an early wake-up may add steps).
 *   The run statistics show 9 SQEs submitted and 9 CQEs.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NR_BATCHES 3
#define MAX_BATCH 4
#define TOKEN(batch, i) (0x5100ULL + 16 * (batch) + (i))

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__u32 batches;
__s32 submit_ret_1, submit_ret_2, submit_ret_3;
__u32 sq_head_1, sq_tail_1, sq_head_2, sq_tail_2, sq_head_3, sq_tail_3;
__u32 cqes_seen;
__u32 bad_tokens;
__u32 inflight;
__u32 steps;
__s32 error;


SEC("struct_ops.s/sq_rewind_step")
URING_BPF_LOOP_STEP(sq_rewind_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	struct io_uring_cqe cqe;
	__u32 i, n, batch, head, tail;
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

	/* Reap everything that is ready (at most 16 per step). */
	for (i = 0; i < 16; i++) {
		if (!iou_reap_cqe(rings, cq_entries, &cqe))
			break;
		cqes_seen++;
		inflight--;
		/* Tokens of batch b are TOKEN(b, 0..b). */
		if (cqe.user_data < TOKEN(1, 0) || cqe.user_data > TOKEN(NR_BATCHES, MAX_BATCH - 1) ||
		    ((cqe.user_data - 0x5100) & 15) > (cqe.user_data - 0x5100) / 16)
			bad_tokens++;
	}

	batch = batches + 1;
	if (batch > NR_BATCHES) {
		if (inflight == 0)
			return IOU_LOOP_STOP;
		lp->cq_wait_idx = rings->cq_head + inflight;
		return IOU_LOOP_CONTINUE;
	}

	/* SQ_REWIND: this batch's SQEs are 0..n-1, whatever was submitted before. */
	n = batch + 1;
	for (i = 0; i < n && i < MAX_BATCH && i < sq_entries; i++)
		iou_prep_nop(&sqes[i], TOKEN(batch, i));
	ret = bpf_io_uring_submit_sqes(ctx, i);
	head = rings->sq_head;
	tail = rings->sq_tail;
	switch (batch) {
	case 1:
		submit_ret_1 = ret;
		sq_head_1 = head;
		sq_tail_1 = tail;
		break;
	case 2:
		submit_ret_2 = ret;
		sq_head_2 = head;
		sq_tail_2 = tail;
		break;
	default:
		submit_ret_3 = ret;
		sq_head_3 = head;
		sq_tail_3 = tail;
		break;
	}
	if (ret != (int)n) {
		error = ret < 0 ? ret : -EIO;
		return IOU_LOOP_STOP;
	}
	batches = batch;
	inflight += n;

	lp->cq_wait_idx = rings->cq_head + inflight;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops sq_rewind_ops = {
	.loop_step = (void *)sq_rewind_step,
};
