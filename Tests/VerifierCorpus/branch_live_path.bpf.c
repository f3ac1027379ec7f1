/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* branch_live_path: the same bad access on a branch that can be taken. */
#include "corpus.h"
OPAQUE(__u32, user_index);

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = %[user_index] ll;"
		"r1 = *(u32 *)(r1 + 0);"
		"if r1 > 9 goto 1f;"
		"r0 = 0;"
		"exit;"
		"1:"
		"r0 = *(u64 *)(r1 + 0);"
		"exit;"
		:: __imm_addr(user_index) : "memory");
}

CORPUS_OPS(step);
