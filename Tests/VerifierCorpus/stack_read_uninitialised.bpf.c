/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stack_read_uninitialised: reading a never-written stack slot: allowed for root (allow_uninit_stack). */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r0 = *(u64 *)(r10 - 8);"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
