/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpf_loop_callback: bpf_loop with a callback that returns 0: accepted. */
#include "corpus.h"

__u64 total;

static long add_index(__u32 index, void *data)
{
	*(__u64 *)data += index;
	return 0;
}

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u64 sum = 0;

	bpf_loop(10, add_index, &sum, 0);
	total = sum;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
