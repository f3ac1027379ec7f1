/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* linked_delta_added_twice: a second += on r2 unlinks it from r1, so the check on r1 leaves r2 unbounded: rejected. */
#include "corpus.h"
OPAQUE(__u32, user_index);

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r6 = *(u64 *)(r1 + 0);"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 64;"
		"call %[bpf_io_uring_get_region];"
		"if r0 == 0 goto 1f;"
		"r1 = %[user_index] ll;"
		"r1 = *(u32 *)(r1 + 0);"
		"r2 = r1;"
		"r2 += 2;"
		"r2 += 2;"
		"if r1 > 59 goto 1f;"
		"r0 += r2;"
		"r4 = 1;"
		"*(u8 *)(r0 + 0) = r4;"
		"1:"
		"r0 = 0;"
		"exit;"
		:: __imm(bpf_io_uring_get_region), __imm_addr(user_index) : "memory");
}

CORPUS_OPS(step);
