/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* iou_ctx_write: struct iou_ctx is empty and not writable. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 0);"
		"r3 = 0;"
		"*(u32 *)(r2 + 0) = r3;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
