/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kfunc_region_id_unknown: get_region with an unknown region id (a scalar, not checked at load): accepted. */
#include "corpus.h"

OPAQUE(__u32, user_index);

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, user_index, 8);

	if (p)
		p[7] = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
