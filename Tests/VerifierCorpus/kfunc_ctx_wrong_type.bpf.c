/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kfunc_ctx_wrong_type: submit_sqes(lp, 1): a struct iou_loop_params pointer where struct iou_ctx is expected. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	bpf_io_uring_submit_sqes((struct iou_ctx *)lp, 1);
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
