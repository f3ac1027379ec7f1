/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* params_read_field: reading lp->cq_wait_idx: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 8);"
		"r0 = *(u32 *)(r2 + 0);"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
