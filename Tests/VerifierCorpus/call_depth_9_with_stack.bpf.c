/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* call_depth_9_with_stack: 9 nested frames, each using 64 bytes of stack (576 bytes in all). */
#include "corpus.h"
static __noinline int f8(int x)
{
	volatile __u64 slots[8];

	slots[x & 7] = x;
	return x + (int)slots[1];
}

static __noinline int f7(int x)
{
	volatile __u64 slots[8];

	slots[x & 7] = x;
	return f8(x + 1) + (int)slots[1];
}

static __noinline int f6(int x)
{
	volatile __u64 slots[8];

	slots[x & 7] = x;
	return f7(x + 1) + (int)slots[1];
}

static __noinline int f5(int x)
{
	volatile __u64 slots[8];

	slots[x & 7] = x;
	return f6(x + 1) + (int)slots[1];
}

static __noinline int f4(int x)
{
	volatile __u64 slots[8];

	slots[x & 7] = x;
	return f5(x + 1) + (int)slots[1];
}

static __noinline int f3(int x)
{
	volatile __u64 slots[8];

	slots[x & 7] = x;
	return f4(x + 1) + (int)slots[1];
}

static __noinline int f2(int x)
{
	volatile __u64 slots[8];

	slots[x & 7] = x;
	return f3(x + 1) + (int)slots[1];
}

static __noinline int f1(int x)
{
	volatile __u64 slots[8];

	slots[x & 7] = x;
	return f2(x + 1) + (int)slots[1];
}

__s32 result;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	result = f1(result);
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
