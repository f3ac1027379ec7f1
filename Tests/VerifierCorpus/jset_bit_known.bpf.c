/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* jset_bit_known: after `if (x & 4)` is taken with x masked to 4 bits, x is known to have bit 2: the index stays inside: accepted. */
#include "corpus.h"

OPAQUE(__u32, user_index);

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 16);
	__u32 x = user_index & 15;

	if (!p)
		return IOU_LOOP_STOP;
	if (x & 4)
		p[x] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
