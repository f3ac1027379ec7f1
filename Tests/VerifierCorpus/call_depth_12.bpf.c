/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* call_depth_12: the entry function plus 11 nested subprogram calls: 12 frames: accepted. */
#include "corpus.h"
static __noinline int f11(int x)
{
	return x + (x & 1);
}

static __noinline int f10(int x)
{
	return f11(x + 1) + (x & 1);
}

static __noinline int f9(int x)
{
	return f10(x + 1) + (x & 1);
}

static __noinline int f8(int x)
{
	return f9(x + 1) + (x & 1);
}

static __noinline int f7(int x)
{
	return f8(x + 1) + (x & 1);
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
