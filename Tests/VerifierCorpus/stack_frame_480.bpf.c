/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* stack_frame_512: a 480-byte frame (60 stores) next to the step's own slots: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	volatile __u64 slots[60];

	for (int i = 0; i < 60; i++)
		slots[i] = i;
	return slots[59] == 59 ? IOU_LOOP_STOP : IOU_LOOP_CONTINUE;
}

CORPUS_OPS(step);
