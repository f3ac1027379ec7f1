/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * huge_array_map: an array map with max_entries 0xffffffff and 8-byte values
 * (32 GiB, valid C and a valid BTF map definition). The user-mode loop must
 * refuse it at load with ENOMEM, naming the map, instead of trying to allocate
 * it; the kernel refuses it too (E2BIG or ENOMEM, depending on its limits).
 *
 * Maps (SEC(".maps")):
 *   huge  BPF_MAP_TYPE_ARRAY, key __u32, value __u64, max_entries 0xffffffff
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *   .bss    __u32 steps   incremented by the step, which looks up key 0 and STOPs
 * Runner settings: none.
 * Expected: loading fails (user mode: ENOMEM, "map huge ... exceed the ...-byte
 *   limit on map memory"); nothing runs.
 */
#define URING_BPF_HELPERS
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 0xffffffff);
} huge SEC(".maps");

__u32 steps;

SEC("struct_ops.s/huge_array_map_step")
URING_BPF_LOOP_STEP(huge_array_map_step, ctx, lp)
{
	__u32 key = 0;
	__u64 *value;

	steps++;
	value = bpf_map_lookup_elem(&huge, &key);
	if (value)
		*value += 1;
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops huge_array_map_ops = {
	.loop_step = (void *)huge_array_map_step,
};
