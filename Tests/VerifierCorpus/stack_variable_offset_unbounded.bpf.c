/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stack_variable_offset_unbounded: a stack access through an unbounded variable offset. */
#include "corpus.h"

OPAQUE(__u64, user_index);

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = %[user_index] ll;"
		"r1 = *(u64 *)(r1 + 0);"
		"r2 = r10;"
		"r2 += -64;"
		"r2 += r1;"
		"r0 = 0;"
		"*(u8 *)(r2 + 0) = r0;"
		"exit;"
		:: __imm_addr(user_index) : "memory");
}

CORPUS_OPS(step);
