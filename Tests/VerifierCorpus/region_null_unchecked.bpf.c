/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_null_unchecked: get_region returns memory-or-NULL (KF_RET_NULL); a store without the NULL check is refused. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	p[0] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
