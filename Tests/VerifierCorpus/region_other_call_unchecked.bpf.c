/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_other_call_unchecked: two get_region results: only the first is NULL-checked, the second is used. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r6 = *(u64 *)(r1 + 0);"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 64;"
		"call %[bpf_io_uring_get_region];"
		"r7 = r0;"
		"r1 = r6;"
		"r2 = 1;"
		"r3 = 64;"
		"call %[bpf_io_uring_get_region];"
		"if r7 == 0 goto 1f;"
		"r1 = 5;"
		"*(u8 *)(r0 + 0) = r1;"
	"1:"
		"r0 = 1;"
		"exit;"
		:: __imm(bpf_io_uring_get_region) : "memory");
}

CORPUS_OPS(step);
