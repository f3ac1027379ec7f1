/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* frame_pointer_write: r10 is read-only. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r10 = 0;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
