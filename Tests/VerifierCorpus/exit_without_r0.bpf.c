/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* exit_without_r0: exit with r0 never written: R0 is not readable. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
