/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_index_tnum_fits: user_index & 0xf0 is a multiple of 16 up to 240: a 1-byte store fits a 241-byte region. */
#include "corpus.h"

OPAQUE(__u32, user_index);

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 241);

	if (!p)
		return IOU_LOOP_STOP;
	p[user_index & 0xf0] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
