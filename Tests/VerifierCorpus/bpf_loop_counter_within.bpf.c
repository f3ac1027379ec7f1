/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpf_loop_counter_within: bpf_loop(8, ...) runs its callback at most 8 times, so the counter it increments
 * indexes at most byte 8 of a 64-byte region; the verifier explores up to nr_loops iterations: accepted. */
#include "corpus.h"

struct loop_ctx {
	__u64 count;
};

static long count_up(__u32 index, void *data)
{
	((struct loop_ctx *)data)->count++;
	return 0;
}

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	struct loop_ctx lc = {};
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	if (!p)
		return IOU_LOOP_STOP;
	bpf_loop(8, count_up, &lc, 0);
	p[lc.count] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
