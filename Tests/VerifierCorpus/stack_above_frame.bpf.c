/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stack_above_frame: a store at r10+0 is above the frame. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = 1;"
		"*(u64 *)(r10 + 0) = r1;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
