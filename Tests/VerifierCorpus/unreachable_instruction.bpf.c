/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* unreachable_instruction: an instruction no path reaches. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r0 = 0;"
		"exit;"
		"r0 = 1;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
