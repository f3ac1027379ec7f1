/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_size_zero_write: rdwr_buf_size 0: a store into the (read-only, 1-byte) result. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 0);

	if (!p)
		return IOU_LOOP_STOP;
	p[0] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
