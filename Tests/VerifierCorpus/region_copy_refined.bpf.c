/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_copy_refined: a copy of the pointer is NULL-checked and the original is used: both share one id, so both are refined: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = *(u64 *)(r1 + 0);"
		"r2 = 0;"
		"r3 = 64;"
		"call %[bpf_io_uring_get_region];"
		"r6 = r0;"
		"if r6 == 0 goto 1f;"
		"r1 = 5;"
		"*(u8 *)(r0 + 0) = r1;"
	"1:"
		"r0 = 1;"
		"exit;"
		:: __imm(bpf_io_uring_get_region) : "memory");
}

CORPUS_OPS(step);
