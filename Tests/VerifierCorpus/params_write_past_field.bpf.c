/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* params_write_past_field: an 8-byte store at lp+0 reaches past cq_wait_idx (4 bytes). */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 8);"
		"r3 = 1;"
		"*(u64 *)(r2 + 0) = r3;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
