/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* jump_out_of_range: a jump past the end of the program. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r0 = 0;"
		"if r0 == 0 goto +100;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
