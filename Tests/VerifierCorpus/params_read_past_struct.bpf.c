/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* params_read_past_struct: an 8-byte load at lp+0 reads past struct iou_loop_params (4 bytes). */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 8);"
		"r0 = *(u64 *)(r2 + 0);"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
