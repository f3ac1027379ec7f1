/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* non_sleepable_get_region: a non-sleepable program may call get_region (not KF_SLEEPABLE): accepted. */
#include "corpus.h"

SEC("struct_ops/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 8);

	if (p)
		p[0] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
