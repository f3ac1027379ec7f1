/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maps_helpers: what the loader must relocate besides globals and kfuncs, in
 * one step, then STOP: BTF-defined maps (map fds), a __noinline subprogram
 * (func_info of a second function), a bpf_loop callback (a function address)
 * and bpf_printk (its format string is static data in .rodata, so that map
 * is frozen but not mmapped).
 *
 *   counts[1] += 7 (ARRAY)          -> counts_after = 7 + what user space put there
 *   totals[42] = 4200 (HASH)        -> user space reads it back
 *   bpf_loop(5, add_index, &sum)    -> loop_sum = 15, loop_ret = 5
 *   printk_ret = bpf_printk(...)    -> > 0 (bytes written to the trace buffer)
 */
#define URING_BPF_HELPERS
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} totals SEC(".maps");

__u64 counts_after;
__s64 totals_ret = 1;
__u64 loop_sum;
__s64 loop_ret;
__s64 printk_ret;

static long add_index(__u32 index, void *data)
{
	*(__u64 *)data += index + 1;
	return 0;
}

static __noinline int touch_maps(__u32 slot)
{
	__u32 key = 42;
	__u64 total = 4200, *count;

	count = bpf_map_lookup_elem(&counts, &slot);
	if (!count)
		return -1;
	*count += 7;
	counts_after = *count;
	totals_ret = bpf_map_update_elem(&totals, &key, &total, BPF_ANY);
	return 0;
}

SEC("struct_ops/maps_helpers_step")
URING_BPF_LOOP_STEP(maps_helpers_step, ctx, lp)
{
	__u64 sum = 0;

	if (touch_maps(1))
		return IOU_LOOP_STOP;
	loop_ret = bpf_loop(5, add_index, &sum, 0);
	loop_sum = sum;
	printk_ret = bpf_printk("maps_helpers: sum %llu", sum);
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops maps_helpers_ops = {
	.loop_step = (void *)maps_helpers_step,
};
