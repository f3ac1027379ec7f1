/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stack_spill_pointer: a region pointer spilled to the stack and filled back keeps its type: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = *(u64 *)(r1 + 0);"
		"r2 = 0;"
		"r3 = 64;"
		"call %[bpf_io_uring_get_region];"
		"if r0 == 0 goto 1f;"
		"*(u64 *)(r10 - 8) = r0;"
		"r1 = *(u64 *)(r10 - 8);"
		"r2 = 3;"
		"*(u8 *)(r1 + 0) = r2;"
		"1:"
		"r0 = 1;"
		"exit;"
		:: __imm(bpf_io_uring_get_region) : "memory");
}

CORPUS_OPS(step);
