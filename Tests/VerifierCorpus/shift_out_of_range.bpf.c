/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* shift_out_of_range: a 64-bit shift by 64 is an invalid shift. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r0 = 1;"
		"r0 <<= 64;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
