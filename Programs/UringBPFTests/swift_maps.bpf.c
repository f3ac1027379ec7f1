/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * swift_maps: maps shared with Swift. One step, then STOP:
 *   seen_array = array_map[1]      (set from Swift before the run)
 *   seen_hash  = hash_map[7] or 0  (set from Swift before the run)
 *   array_map[0] += 1; percpu_map[0] += 1 (on this CPU); hash_map[100 + runs] = runs * 10; runs += 1
 *
 * Maps: array_map (array, __u32 -> __u64, 4), percpu_map (percpu_array, __u32 -> __u64, 2),
 *       hash_map (hash, __u32 -> __u64, 16).
 * Globals: .bss __u64 seen_array, seen_hash; __u32 runs.
 * Expected after one run with array_map[1] = 42, hash_map[7] = 70 set from Swift: seen_array 42, seen_hash 70,
 *   array_map[0] 1, the per-CPU values of percpu_map[0] sum to 1, hash_map holds 7 -> 70 and 100 -> 0.
 */
#define URING_BPF_HELPERS
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} array_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} percpu_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} hash_map SEC(".maps");

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__u64 seen_array;
__u64 seen_hash;
__u32 runs;

SEC("struct_ops.s/swift_maps_step")
URING_BPF_LOOP_STEP(swift_maps_step, ctx, lp)
{
	__u32 zero = 0, one = 1, seven = 7, key;
	__u64 *value, next;

	value = bpf_map_lookup_elem(&array_map, &one);
	if (value)
		seen_array = *value;
	value = bpf_map_lookup_elem(&hash_map, &seven);
	seen_hash = value ? *value : 0;
	value = bpf_map_lookup_elem(&array_map, &zero);
	if (value)
		*value += 1;
	value = bpf_map_lookup_elem(&percpu_map, &zero);
	if (value)
		*value += 1;
	key = 100 + runs;
	next = (__u64)runs * 10;
	bpf_map_update_elem(&hash_map, &key, &next, BPF_ANY);
	runs++;
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops swift_maps_ops = {
	.loop_step = (void *)swift_maps_step,
};
