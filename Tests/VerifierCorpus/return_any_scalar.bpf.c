/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* return_any_scalar: loop_step returns 7: any int is accepted at load (the loop refuses it at run time). */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r0 = 7;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
