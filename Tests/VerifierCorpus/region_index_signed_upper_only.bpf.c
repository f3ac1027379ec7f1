/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_index_signed_upper_only: a signed user_index checked only against its upper bound may be negative. */
#include "corpus.h"

OPAQUE(__s32, user_index);

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);
	int i = user_index;

	if (!p || i >= 64)
		return IOU_LOOP_STOP;
	p[i] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
