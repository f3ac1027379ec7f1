/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* loop_too_complex: a loop of 400,000 iterations of 3 instructions exceeds the 1,000,000 processed-instruction limit. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r0 = 0;"
		"r1 = 0;"
		"1:"
		"r0 += r1;"
		"r1 += 1;"
		"if r1 < 400000 goto 1b;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
