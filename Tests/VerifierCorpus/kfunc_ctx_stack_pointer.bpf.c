/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kfunc_ctx_stack_pointer: submit_sqes(stack pointer, 1): not a pointer to struct iou_ctx. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = r10;"
		"r1 += -8;"
		"r2 = 1;"
		"call %[bpf_io_uring_submit_sqes];"
		"r0 = 0;"
		"exit;"
		:: __imm(bpf_io_uring_submit_sqes) : "memory");
}

CORPUS_OPS(step);
