/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kfunc_clobbers_arguments: after a kfunc call r1-r5 are not readable. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = *(u64 *)(r1 + 0);"
		"r2 = 0;"
		"call %[bpf_io_uring_submit_sqes];"
		"r0 = r2;"
		"exit;"
		:: __imm(bpf_io_uring_submit_sqes) : "memory");
}

CORPUS_OPS(step);
