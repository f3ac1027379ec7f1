/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* shift_in_range: a 64-bit shift by 63: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r0 = 1;"
		"r0 <<= 63;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
