/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tally: the consumer's own loop program. Submits nr_nops NOPs, up to batch at
 * a time, with user_data 1, 2, ..., nr_nops; adds up the user_data of every
 * CQE in tally.sum and counts the CQEs per user_data % 4 in map buckets.
 *
 * Globals: .data nr_nops (default 100), batch (default 4);
 *          .bss  struct totals tally: sum, submitted, completed, error (0 or -errno)
 * Maps:    buckets: array of 4 __u64, CQEs per user_data % 4
 * Expected: tally.sum = nr_nops * (nr_nops + 1) / 2, tally.completed = nr_nops,
 *           the buckets add up to nr_nops.
 */
#define URING_BPF_HELPERS /* bpf_map_lookup_elem */
#include <uring_bpf.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_PER_STEP 64

/* Filled from the ring by the runner before load. */
const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__u32 nr_nops = 100;
__u32 batch = 4;

struct totals {
	__u64 sum;
	__u32 submitted;
	__u32 completed;
	__s32 error;
};
struct totals tally;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} buckets SEC(".maps");

static __always_inline int fail(int err)
{
	tally.error = err;
	return IOU_LOOP_STOP;
}

SEC("struct_ops.s/tally_step")
URING_BPF_LOOP_STEP(tally_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	struct io_uring_cqe cqe;
	__u32 i, key, inflight;
	__u64 *count;
	int ret;

	sqes = (struct io_uring_sqe *)bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
							      IOU_SQ_REGION_SIZE(sq_entries));
	rings = (struct iou_rings_header *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
								   IOU_CQ_REGION_SIZE(cq_entries));
	if (!sqes || !rings)
		return fail(-EINVAL);

	for (i = 0; i < MAX_PER_STEP; i++) {
		if (!iou_reap_cqe(rings, cq_entries, &cqe))
			break;
		if (cqe.res < 0)
			return fail(cqe.res);
		tally.sum += cqe.user_data;
		tally.completed++;
		key = cqe.user_data % 4;
		count = bpf_map_lookup_elem(&buckets, &key);
		if (count)
			*count += 1;
	}
	if (tally.completed >= nr_nops)
		return IOU_LOOP_STOP;

	/* SQ_REWIND: this step's SQEs are 0..n-1. */
	inflight = tally.submitted - tally.completed;
	for (i = 0; inflight + i < batch && tally.submitted + i < nr_nops && i < sq_entries && i < MAX_PER_STEP; i++)
		iou_prep_nop(&sqes[i], tally.submitted + i + 1);
	if (i) {
		ret = bpf_io_uring_submit_sqes(ctx, i);
		if (ret != (int)i)
			return fail(ret < 0 ? ret : -EIO);
		tally.submitted += i;
	}
	lp->cq_wait_idx = rings->cq_head + (tally.submitted - tally.completed);
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops tally_ops = {
	.loop_step = (void *)tally_step,
};
