/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpf_nops: the behaviour of liburing's test/bpf-progs/nops.bpf.c (driven by
 * test/bpf_nops.c), re-written for our header. Keeps up to 8 NOPs (token
 * 0xabba1741) in flight until reqs_to_run have completed. Each step:
 *   1. submit min(8 - inflight, reqs_to_run - inflight) NOPs at SQEs 0..n-1
 *      (SQ_REWIND); a short submit -> error = ret (or -EIO), STOP;
 *   2. reap min(cq.tail - cq.head, 8) CQEs; a wrong token -> error = -EIO, STOP;
 *   3. reqs_inflight -= reaped, reqs_to_run -= reaped;
 *   4. reqs_to_run <= 0 and nothing in flight -> STOP (reqs_to_run < 0 sets
 *      error = -ERANGE first);
 *   5. otherwise cq_wait_idx = cq.head + reqs_inflight, or cq.head when CQEs
 *      are still unconsumed (don't sleep), CONTINUE.
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 8):
 *           filled by the runner from the ring (liburing uses SQ 8 / CQ 8).
 *   .bss    __s32 reqs_to_run     requests to run; SET IT (liburing: 1000).
 *                                 Counts down to 0.
 *           __u32 reqs_inflight   NOPs submitted but not yet reaped.
 *           __u32 stat_nr_sqes    NOPs submitted in total.
 *           __u32 stat_nr_cqes    CQEs reaped in total.
 *           __s32 error           0, or a negative errno as described above.
 * Runner settings: --set reqs_to_run=1000 (no MEM region).
 * Expected (N = the reqs_to_run set): run returns 0; reqs_to_run == 0,
 *   reqs_inflight == 0, stat_nr_sqes == N, stat_nr_cqes == N, error == 0.
 *   Without --set (reqs_to_run == 0) the first step submits nothing and STOPs:
 *   run returns 0, all globals stay 0.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define REQ_TOKEN 0xabba1741ULL
#define MAX_INFLIGHT 8

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 8;

__s32 reqs_to_run;
__u32 reqs_inflight;
__u32 stat_nr_sqes;
__u32 stat_nr_cqes;
__s32 error;

static __always_inline __u32 nr_to_submit(void)
{
	__u32 inflight = reqs_inflight;
	__u32 to_submit = 0;

	if (inflight < MAX_INFLIGHT) {
		to_submit = MAX_INFLIGHT - inflight;
		if (reqs_to_run <= (__s32)inflight)
			to_submit = 0;
		else
			to_submit = URING_BPF_MIN(to_submit, (__u32)reqs_to_run - inflight);
	}
	return URING_BPF_MIN(to_submit, sq_entries);
}

SEC("struct_ops.s/bpf_nops_step")
URING_BPF_LOOP_STEP(bpf_nops_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	struct io_uring_cqe *cqes;
	__u32 to_submit, nr_cqes, i;
	int ret;

	sqes = (struct io_uring_sqe *)bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
							      IOU_SQ_REGION_SIZE(sq_entries));
	rings = (struct iou_rings_header *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
								   IOU_CQ_REGION_SIZE(cq_entries));
	if (!sqes || !rings) {
		error = -EINVAL;
		return IOU_LOOP_STOP;
	}
	cqes = (struct io_uring_cqe *)((__u8 *)rings + IOU_RINGS_CQES);

	to_submit = nr_to_submit();
	if (to_submit) {
		for (i = 0; i < to_submit && i < MAX_INFLIGHT && i < sq_entries; i++)
			iou_prep_nop(&sqes[i], REQ_TOKEN);
		ret = bpf_io_uring_submit_sqes(ctx, i);
		if (ret != (int)i) {
			error = ret < 0 ? ret : -EIO;
			return IOU_LOOP_STOP;
		}
		reqs_inflight += i;
		stat_nr_sqes += i;
	}

	nr_cqes = rings->cq_tail - rings->cq_head;
	nr_cqes = URING_BPF_MIN(nr_cqes, MAX_INFLIGHT);
	for (i = 0; i < nr_cqes && i < MAX_INFLIGHT; i++) {
		struct io_uring_cqe *cqe = &cqes[rings->cq_head & (cq_entries - 1)];

		if (cqe->user_data != REQ_TOKEN) {
			error = -EIO;
			return IOU_LOOP_STOP;
		}
		rings->cq_head += 1;
	}

	reqs_inflight -= i;
	reqs_to_run -= i;
	stat_nr_cqes += i;

	if (reqs_to_run <= 0 && !reqs_inflight) {
		if (reqs_to_run < 0)
			error = -ERANGE;
		return IOU_LOOP_STOP;
	}

	/* Don't sleep while CQEs are left. */
	if (rings->cq_tail != rings->cq_head)
		lp->cq_wait_idx = rings->cq_head;
	else
		lp->cq_wait_idx = rings->cq_head + reqs_inflight;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops bpf_nops_ops = {
	.loop_step = (void *)bpf_nops_step,
};
