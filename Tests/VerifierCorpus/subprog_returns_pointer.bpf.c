/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* subprog_returns_pointer: a static subprogram must return a scalar; this one returns a stack pointer. */
#include "corpus.h"

#pragma clang diagnostic ignored "-Wreturn-stack-address"
static __noinline long address_of_local(void)
{
	volatile long x = 0;

	return (long)&x;
}

__s64 seen;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	seen = address_of_local();
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
