/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* register_read_uninitialised: reading a register that was never written (r9) is always refused. */
#include "corpus.h"

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r0 = r9;"
		"exit;"
		::  : "memory");
}

CORPUS_OPS(step);
