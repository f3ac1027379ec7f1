/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kfunc_scalar_gets_pointer: submit_sqes(ctx, pointer): a pointer where a scalar (nr) is expected. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = *(u64 *)(r1 + 0);"
		"r2 = r10;"
		"call %[bpf_io_uring_submit_sqes];"
		"r0 = 0;"
		"exit;"
		:: __imm(bpf_io_uring_submit_sqes) : "memory");
}

CORPUS_OPS(step);
