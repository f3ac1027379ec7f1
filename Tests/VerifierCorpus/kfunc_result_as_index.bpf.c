/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kfunc_result_as_index: submit_sqes returns an int that may be negative: used as an index into a region it is refused. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);
	int n;

	if (!p)
		return IOU_LOOP_STOP;
	n = bpf_io_uring_submit_sqes(ctx, 0);
	p[n] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
