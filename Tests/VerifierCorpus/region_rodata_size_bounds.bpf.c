/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_rodata_size_bounds: the region is rodata-sized (64 + 16 * 16 = 320): the last CQE slot is inside. */
#include "corpus.h"

const volatile __u32 cq_entries = 16;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_CQ, IOU_CQ_REGION_SIZE(cq_entries));

	if (!p)
		return IOU_LOOP_STOP;
	*(__u64 *)(p + 312) = 0;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
