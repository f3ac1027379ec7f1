/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctx_modified_pointer: a ctx pointer moved by a constant may not be dereferenced. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 += 8;"
		"r2 = *(u64 *)(r1 + 0);"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
