/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* pointer_multiply: multiplying a pointer is prohibited. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = r10;"
		"r1 *= 2;"
		"r0 = 1;"
		"exit;"
		::: "memory");
}

CORPUS_OPS(step);
