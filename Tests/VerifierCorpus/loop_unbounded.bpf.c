/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* loop_unbounded: a loop bounded only by an unknown global never ends in the verifier: too many instructions. */
#include "corpus.h"

OPAQUE(__u32, count);
__u64 total;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u64 sum = 0;

	for (__u32 i = 0; i < count; i++)
		sum += i ^ total;
	total = sum;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
