/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* region_pointer_leak_store: as root, storing a region pointer into a global is allowed (pointer leaks are allowed to CAP_PERFMON). */
#include "corpus.h"

__u64 saved;

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u8 *p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 64);

	if (!p)
		return IOU_LOOP_STOP;
	saved = (__u64)p;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
