/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* call_depth_17: the entry function plus 16 nested subprogram calls: 17 frames, one more than Linux 7.2's MAX_CALL_FRAMES. */
#include "corpus.h"
static __noinline int f16(int x)
{
	return x + (x & 1);
}

static __noinline int f15(int x)
{
	return f16(x + 1) + (x & 1);
}

static __noinline int f14(int x)
{
	return f15(x + 1) + (x & 1);
}

static __noinline int f13(int x)
{
	return f14(x + 1) + (x & 1);
}

static __noinline int f12(int x)
{
	return f13(x + 1) + (x & 1);
}

static __noinline int f11(int x)
{
	return f12(x + 1) + (x & 1);
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
