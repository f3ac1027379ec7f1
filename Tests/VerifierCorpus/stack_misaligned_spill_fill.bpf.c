/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stack_misaligned_spill_fill: a 4-byte read of half a spilled pointer is refused (a spilled pointer fills back only whole). */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = r10;"
		"*(u64 *)(r10 - 8) = r1;"
		"r0 = *(u32 *)(r10 - 4);"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
