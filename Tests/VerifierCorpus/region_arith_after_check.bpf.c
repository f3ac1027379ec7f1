/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_arith_after_check: pointer arithmetic after the NULL check: accepted. */
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
		"r0 += 8;"
		"r1 = 5;"
		"*(u8 *)(r0 + 0) = r1;"
	"1:"
		"r0 = 1;"
		"exit;"
		:: __imm(bpf_io_uring_get_region) : "memory");
}

CORPUS_OPS(step);
