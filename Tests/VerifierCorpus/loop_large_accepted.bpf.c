/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* loop_large_accepted: a loop of 20,000 iterations stays far below the 1,000,000-instruction limit: accepted. */
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
		"if r1 < 20000 goto 1b;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
