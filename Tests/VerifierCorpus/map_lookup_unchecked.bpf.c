/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* map_lookup_unchecked: bpf_map_lookup_elem may return NULL: using the value unchecked is refused. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} counts SEC(".maps");

SEC("struct_ops.s/step")
URING_BPF_LOOP_STEP(step, ctx, lp)
{
	__u32 key = 1;
	__u64 *value = bpf_map_lookup_elem(&counts, &key);

	*value += 1;
	return IOU_LOOP_STOP;
}

CORPUS_OPS(step);
