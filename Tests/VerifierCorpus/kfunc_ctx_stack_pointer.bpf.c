/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kfunc_ctx_stack_pointer: submit_sqes(stack pointer, 1): struct iou_ctx is empty, so the kernel takes any memory as a zero-byte buffer: accepted. */
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
