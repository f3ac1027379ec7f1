/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* helper_base_allowed: bpf_ktime_get_ns and bpf_get_prandom_u32 are base helpers struct_ops may call: accepted. */
#include "corpus.h"

__u64 now;
__u32 rnd;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	now = bpf_ktime_get_ns();
	rnd = bpf_get_prandom_u32();
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
