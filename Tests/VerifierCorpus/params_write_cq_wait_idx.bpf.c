/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* params_write_cq_wait_idx: writing lp->cq_wait_idx, the one writable field: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	lp->cq_wait_idx = 3;
	return IOU_LOOP_CONTINUE;
}

CORPUS_OPS(step);
