/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_offset_outside: a 1-byte store at offset 64 of a 64-byte region is outside it. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	if (!p)
		return IOU_LOOP_STOP;
	p[64] = 7;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
