/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* helper_not_allowed: bpf_skb_load_bytes (#26) is not a helper this program type may call. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r2 = 0;"
		"r3 = r10;"
		"r3 += -8;"
		"r4 = 4;"
		"call 26;"
		"r0 = 0;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
