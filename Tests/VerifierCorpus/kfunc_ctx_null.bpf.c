/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kfunc_ctx_null: submit_sqes(NULL, 1): a NULL pointer for a trusted argument. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	bpf_io_uring_submit_sqes((struct iou_ctx *)0, 1);
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
