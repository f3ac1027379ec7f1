/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* callee_saved_kept: r6-r9 survive a call: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r6 = 3;"
		"call %[bpf_ktime_get_ns];"
		"r0 = r6;"
		"exit;"
		:: __imm(bpf_ktime_get_ns) : "memory");
}

CORPUS_OPS(step);
