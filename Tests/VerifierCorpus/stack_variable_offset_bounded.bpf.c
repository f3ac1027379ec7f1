/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stack_variable_offset_bounded: a write then read through a bounded variable stack offset: accepted. */
#include "corpus.h"

OPAQUE(__u32, user_index);
__u64 seen;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	volatile __u64 slots[8] = {};

	slots[user_index & 7] = 5;
	seen = slots[(user_index >> 3) & 7];
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
