/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_size_zero_read: rdwr_buf_size 0: the kernel falls back to the size of the pointee (__u8), read-only; a 1-byte read. */
#include "corpus.h"

__u8 seen;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 0);

	if (!p)
		return IOU_LOOP_STOP;
	seen = p[0];
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
