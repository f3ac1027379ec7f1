/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctx_read_past_arguments: loop_step has two arguments; ctx[2] does not exist. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 16);"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
