/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* jump_sequence_short: a loop of 1,000 iterations that pushes one unexplored branch per iteration: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r6 = 0;"
		"r7 = 0;"
		"1:"
		"call %[bpf_get_prandom_u32];"
		"if r0 == 0 goto 2f;"
		"r7 += 1;"
		"2:"
		"r6 += 1;"
		"if r6 < 1000 goto 1b;"
		"r0 = 0;"
		"exit;"
		:: __imm(bpf_get_prandom_u32) : "memory");
}

CORPUS_OPS(step);
