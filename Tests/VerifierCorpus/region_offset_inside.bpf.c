/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_offset_inside: a 4-byte store at offset 60 of a 64-byte region ends exactly at its size: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	if (!p)
		return IOU_LOOP_STOP;
	*(__u32 *)(p + 60) = 7;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
