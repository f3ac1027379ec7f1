/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctx_read_misaligned: an 8-byte ctx load at offset 4 is not an argument. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 4);"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
