/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* branch_dead_path: a bad access on a branch the verifier proves dead is never checked: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = 5;"
		"if r1 > 9 goto 1f;"
		"r0 = 0;"
		"exit;"
		"1:"
		"r0 = *(u64 *)(r1 + 0);"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
