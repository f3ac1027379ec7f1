/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sleepable_submit: a sleepable program (struct_ops.s/) calls submit_sqes: accepted. */
#include "corpus.h"

__s32 ret;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	ret = bpf_io_uring_submit_sqes(ctx, 0);
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
