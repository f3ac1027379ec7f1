/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* map_key_not_a_pointer: bpf_map_lookup_elem's key must point to memory; a scalar is refused. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} counts SEC(".maps");

SEC("struct_ops.s/step")
__naked int step(void)
{
	asm volatile(
		"r1 = %[counts] ll;"
		"r2 = 1;"
		"call %[bpf_map_lookup_elem];"
		"r0 = 0;"
		"exit;"
		:: __imm_addr(counts), __imm(bpf_map_lookup_elem) : "memory");
}

CORPUS_OPS(step);
