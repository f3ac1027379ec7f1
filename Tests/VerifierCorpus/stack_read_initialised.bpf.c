/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stack_read_initialised: a stack slot is written, then read: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = 7;"
		"*(u64 *)(r10 - 8) = r1;"
		"r0 = *(u64 *)(r10 - 8);"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
