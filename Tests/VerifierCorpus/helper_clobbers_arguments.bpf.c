/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* helper_clobbers_arguments: after a call r1-r5 are not readable. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"call %[bpf_ktime_get_ns];"
		"r0 = r1;"
		"exit;"
		:: __imm(bpf_ktime_get_ns) : "memory");
}

CORPUS_OPS(step);
