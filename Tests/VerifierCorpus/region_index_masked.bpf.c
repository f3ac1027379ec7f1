/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_index_masked: an unknown user_index masked to 0..3 and scaled by 16 stays inside a 64-byte region: accepted. */
#include "corpus.h"

OPAQUE(__u32, user_index);

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);
	__u32 i = user_index & 3;

	if (!p)
		return IOU_LOOP_STOP;
	*(__u64 *)(p + i * 16) = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
