/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* pruning_index_join_small: an index that is 0 or 60 on two paths meets at a join, then indexes a 64-byte region: both paths are safe: accepted. */
#include "corpus.h"

OPAQUE(__u32, flag);

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);
	__u32 i;

	if (!p)
		return IOU_LOOP_STOP;
	if (flag & 1)
		i = 0;
	else
		i = 60;
	asm volatile("" : "+r"(i));
	if (flag & 2)
		p[1] = 2;
	p[i] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
