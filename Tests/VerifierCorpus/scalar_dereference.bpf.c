/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* scalar_dereference: dereferencing a scalar is refused. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = 4096;"
		"r0 = *(u64 *)(r1 + 0);"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
