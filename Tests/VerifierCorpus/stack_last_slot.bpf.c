/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stack_last_slot: a store at r10-512, the deepest byte of the 512-byte frame: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = 1;"
		"*(u64 *)(r10 - 512) = r1;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
