/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* alu32_wrap_index: a 32-bit subtraction that may wrap gives an index up to 2^32-1: unbounded. */
#include "corpus.h"

OPAQUE(__u32, user_index);

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);
	__u32 i = (user_index & 15) - 8;

	if (!p)
		return IOU_LOOP_STOP;
	p[i] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
