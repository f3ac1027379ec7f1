/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctx_modified_pointer: a ctx pointer moved by a constant 8 and read at 0 reads ctx[1]: Linux 7.2 accepts it. */
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
