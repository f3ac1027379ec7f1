/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* params_write_byte_inside: a 1-byte store at lp+3 stays inside cq_wait_idx: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 8);"
		"r3 = 1;"
		"*(u8 *)(r2 + 3) = r3;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
