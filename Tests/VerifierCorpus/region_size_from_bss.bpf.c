/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_size_from_bss: the region size comes from a writable global, which is not a constant (rdwr_buf_size must be). */
#include "corpus.h"

__u32 cq_entries = 16;
__u32 tail;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	struct iou_rings_header *rings =
		(void *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ, IOU_CQ_REGION_SIZE(cq_entries));

	if (!rings)
		return IOU_LOOP_STOP;
	tail = rings->cq_tail;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
