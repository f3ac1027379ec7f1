/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* call_depth_8: the entry function plus 7 nested subprogram calls: 8 frames: accepted. */
#include "corpus.h"
static __noinline int f7(int x)
{
	return x + (x & 1);
}

static __noinline int f6(int x)
{
	return f7(x + 1) + (x & 1);
}

static __noinline int f5(int x)
{
	return f6(x + 1) + (x & 1);
}

static __noinline int f4(int x)
{
	return f5(x + 1) + (x & 1);
}

static __noinline int f3(int x)
{
	return f4(x + 1) + (x & 1);
}

static __noinline int f2(int x)
{
	return f3(x + 1) + (x & 1);
}

static __noinline int f1(int x)
{
	return f2(x + 1) + (x & 1);
}

__s32 result;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	result = f1(result);
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
