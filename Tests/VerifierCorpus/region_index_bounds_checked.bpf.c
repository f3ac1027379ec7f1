/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_index_bounds_checked: an unknown u32 user_index checked against 4 before use: accepted. */
#include "corpus.h"

OPAQUE(__u32, user_index);

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u32 *p = (__u32 *)bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);
	__u32 i = user_index;

	if (!p || i >= 16)
		return IOU_LOOP_STOP;
	p[i] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
