/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctx_read_arguments: loop_step reads both arguments from its u64 ctx array: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 0);"
		"r3 = *(u64 *)(r1 + 8);"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
