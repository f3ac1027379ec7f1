/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* loop_masked_bound: a loop bounded by an unknown count masked to 0..255: accepted. */
#include "corpus.h"

OPAQUE(__u32, count);
__u64 total;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u64 sum = 0;
	__u32 n = count & 255;

	for (__u32 i = 0; i < n; i++)
		sum += i ^ total;
	total = sum;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
