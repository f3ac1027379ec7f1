/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_offset_straddles: a 4-byte load at offset 62 of a 64-byte region crosses its end. */
#include "corpus.h"

__u32 seen;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	if (!p)
		return IOU_LOOP_STOP;
	seen = *(__u32 *)(p + 62);
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
