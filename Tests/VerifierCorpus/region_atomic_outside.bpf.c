/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_atomic_outside: an atomic add one slot past the region's end. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u64 *p = (__u64 *)bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	if (!p)
		return IOU_LOOP_STOP;
	__sync_fetch_and_add(&p[8], 1);
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
