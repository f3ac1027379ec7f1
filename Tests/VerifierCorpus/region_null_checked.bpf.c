/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_null_checked: get_region's result is NULL-checked before the store: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	if (!p)
		return IOU_LOOP_STOP;
	p[0] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
