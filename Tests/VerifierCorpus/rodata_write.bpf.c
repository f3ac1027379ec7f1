/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* rodata_write: .rodata is frozen and BPF_F_RDONLY_PROG: a program store into it is refused. */
#include "corpus.h"

const volatile __u32 limit = 5;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	*(volatile __u32 *)&limit = 6;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
