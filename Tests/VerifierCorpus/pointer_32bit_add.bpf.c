/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* pointer_32bit_add: 32-bit arithmetic on a pointer is prohibited. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = r10;"
		"w1 += 8;"
		"r0 = 1;"
		"exit;"
		::: "memory");
}

CORPUS_OPS(step);
