/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* iou_ctx_read: struct iou_ctx is empty: every load through it is past its end. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 0);"
		"r0 = *(u8 *)(r2 + 0);"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
