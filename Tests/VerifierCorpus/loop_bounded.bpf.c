/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* loop_bounded: a loop with a constant bound (64 iterations) is explored to its end: accepted. */
#include "corpus.h"

__u64 total;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u64 sum = 0;

	for (__u32 i = 0; i < 64; i++)
		sum += i * total;
	total = sum;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
