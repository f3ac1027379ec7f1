/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_index_unbounded_u32: an unknown u32 user_index (0..2^32-1) added to a region pointer: the access is unbounded. */
#include "corpus.h"

OPAQUE(__u32, user_index);

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
