/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* params_variable_offset: a BTF pointer moved by an unknown amount may not be dereferenced. */
#include "corpus.h"

OPAQUE(__u32, user_index);

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = *(u64 *)(r1 + 8);"
		"r3 = %[user_index] ll;"
		"r3 = *(u32 *)(r3 + 0);"
		"r3 &= 3;"
		"r2 += r3;"
		"r0 = *(u8 *)(r2 + 0);"
		"exit;"
		:: __imm_addr(user_index) : "memory");
}

CORPUS_OPS(step);
