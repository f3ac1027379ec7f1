/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* subprog_stack_fits: two frames of 160 bytes each stay within 512 combined: accepted. */
#include "corpus.h"

__u64 seen;

static __noinline __u64 inner(__u32 i)
{
	volatile __u64 slots[20];

	slots[i & 15] = i;
	return slots[3];
}

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	volatile __u64 slots[20];

	slots[seen & 15] = 1;
	seen = inner(seen) + slots[2];
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
