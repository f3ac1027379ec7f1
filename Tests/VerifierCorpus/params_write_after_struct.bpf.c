/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* params_write_after_struct: a 4-byte store at lp+4 is past struct iou_loop_params. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 8);"
		"r3 = 1;"
		"*(u32 *)(r2 + 4) = r3;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
