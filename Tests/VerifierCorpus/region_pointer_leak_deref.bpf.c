/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_pointer_leak_deref: a pointer stored into a global and loaded back is a scalar; dereferencing it is refused. */
#include "corpus.h"

__u64 saved;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	if (!p)
		return IOU_LOOP_STOP;
	saved = (__u64)p;
	/* Load it back (not the register clang still holds): a scalar. */
	*(__u8 *)*(volatile __u64 *)&saved = 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
