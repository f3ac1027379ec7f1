/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* rodata_read: reading const volatile .rodata: accepted. */
#include "corpus.h"

const volatile __u32 limit = 5;
__u32 seen;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	seen = limit;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
