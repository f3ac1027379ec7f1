/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* non_sleepable_submit: a non-sleepable program (struct_ops/) calls the KF_SLEEPABLE submit_sqes. */
#include "corpus.h"

__s32 ret;

SEC("struct_ops/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	ret = bpf_io_uring_submit_sqes(ctx, 0);
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
