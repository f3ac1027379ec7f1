/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* global_array_overflow: a .bss array indexed by an index up to 15 reaches past the map value. */
#include "corpus.h"

OPAQUE(__u32, user_index);
__u64 table[8];

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	table[user_index & 15] += 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
