/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* return_pointer: loop_step returns a pointer in r0; root may leak pointers, and struct_ops int returns are not range-checked. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r0 = r10;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
