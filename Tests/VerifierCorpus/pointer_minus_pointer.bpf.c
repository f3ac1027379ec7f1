/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* pointer_minus_pointer: subtracting two pointers gives a scalar (allowed as root): accepted. */
#include "corpus.h"

__u64 distance;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);
	__u8 *q = bpf_io_uring_get_region(ctx, IOU_REGION_CQ, 64);

	if (!p || !q)
		return IOU_LOOP_STOP;
	distance = q - p;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
