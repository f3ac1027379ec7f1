/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* printk_rodata_format: bpf_printk with its format in .rodata and a constant size: accepted. */
#include "corpus.h"

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	bpf_printk("step %d", 1);
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
