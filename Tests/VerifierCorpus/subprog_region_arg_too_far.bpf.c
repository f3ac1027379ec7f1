/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* subprog_region_arg_too_far: a region pointer passed to a subprogram that stores past the 8-byte region. */
#include "corpus.h"

static __noinline void mark(__u8 *p)
{
	if (p)
		p[8] = 1;
}

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	mark(bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 8));
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
