/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_offset_negative: a load one byte before the region is refused (negative offset). */
#include "corpus.h"

__u8 seen;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	volatile __u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	if (!p)
		return IOU_LOOP_STOP;
	seen = *(p - 1);
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
