/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* subprog_stack_pointer_arg: a caller's stack pointer passed to a subprogram that writes through it: accepted. */
#include "corpus.h"

__u64 seen;

static __noinline void fill(volatile __u64 *slot, __u64 v)
{
	*slot = v;
}

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	volatile __u64 slot = 0;

	fill(&slot, seen + 1);
	seen = slot;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
