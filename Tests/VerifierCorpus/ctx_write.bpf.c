/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctx_write: ctx (the argument array) is read-only. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = 0;"
		"*(u64 *)(r1 + 0) = r2;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
