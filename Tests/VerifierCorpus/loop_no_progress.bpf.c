/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* loop_no_progress: a loop whose state never changes is detected as infinite. */
#include "corpus.h"
OPAQUE(__u32, flag);

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = %[flag] ll;"
		"r1 = *(u32 *)(r1 + 0);"
		"1:"
		"if r1 != 0 goto 1b;"
		"r0 = 0;"
		"exit;"
		:: __imm_addr(flag) : "memory");
}

CORPUS_OPS(step);
