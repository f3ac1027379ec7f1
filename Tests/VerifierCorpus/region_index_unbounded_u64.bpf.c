/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_index_unbounded_u64: an unknown 64-bit user_index added to a region pointer is refused at the addition. */
#include "corpus.h"

OPAQUE(__u64, user_index);

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	if (!p)
		return IOU_LOOP_STOP;
	p[user_index] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
