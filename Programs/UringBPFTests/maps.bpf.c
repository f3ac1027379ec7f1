/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maps: BTF-defined maps and the base helpers, in one step, then STOP.
 *
 * Maps (SEC(".maps")):
 *   array_map  BPF_MAP_TYPE_ARRAY, key __u32, value __u64, max_entries 4
 *   hash_map   BPF_MAP_TYPE_HASH,  key __u32, value __u64, max_entries 8
 *
 * Sequence and expected results ("_null" globals are 1 when the lookup returned
 * NULL, 0 otherwise; errno values are negative; sections are listed below):
 *   ARRAY
 *     lookup(2)                     -> arr_lookup2_null = 0, arr_initial = 0
 *     update(1, 111, BPF_ANY)       -> arr_update_ret = 0
 *     lookup(1), then *value += 1 through the pointer, lookup(1) again
 *                                   -> arr_value1 = 111, arr_value1_after_inc = 112
 *     lookup(4) (out of range)      -> arr_lookup4_null = 1
 *     update(4, 1, BPF_ANY)         -> arr_update_oob_ret = -7 (E2BIG)
 *     update(0, 1, BPF_NOEXIST)     -> arr_noexist_ret = -17 (EEXIST)
 *     delete(1)                     -> arr_delete_ret = -22 (EINVAL)
 *   HASH
 *     lookup(5) (empty map)         -> hash_missing_null = 1
 *     update(6, 600, BPF_EXIST)     -> hash_exist_missing_ret = -2 (ENOENT)
 *     update(5, 500, BPF_NOEXIST)   -> hash_insert_ret = 0
 *     update(5, 501, BPF_NOEXIST)   -> hash_insert_again_ret = -17 (EEXIST)
 *     update(5, 555, BPF_EXIST)     -> hash_replace_ret = 0
 *     lookup(5)                     -> hash_value5 = 555
 *     delete(5)                     -> hash_delete_ret = 0
 *     delete(5)                     -> hash_delete_again_ret = -2 (ENOENT)
 *     lookup(5)                     -> hash_deleted_null = 1
 *     update(100 + i, i, BPF_ANY) for i = 0..8 (9 keys into 8 entries)
 *                                   -> hash_fill_ok = 8 (keys 100..107),
 *                                      hash_full_ret = -7 (E2BIG, key 108)
 *     update(100, 1000, BPF_ANY) on the full map (existing key)
 *                                   -> hash_update_full_ret = 0
 *     lookup(100)                   -> hash_value100 = 1000
 *     lookup(108)                   -> hash_lookup108_null = 1
 *   HELPERS
 *     bpf_ktime_get_ns() twice      -> ktime_first, ktime_second (raw values),
 *                                      ktime_nonzero = 1, ktime_monotonic = 1
 *                                      (second >= first)
 *     bpf_get_prandom_u32() twice   -> prandom_a, prandom_b (any values;
 *                                      equal only by 1-in-2^32 chance)
 *     bpf_get_smp_processor_id()    -> cpu_id (< number of possible CPUs)
 *     bpf_loop(10, add_index, &ctx, 0), where the static callback adds
 *       index + 1 to ctx->sum (on the stack) and returns 0
 *                                   -> loop_ret = 10, loop_sum = 55 (1+..+10)
 *   steps = 1, done = 1 at the end.
 *   The array map's final contents: [0] = 0, [1] = 112, [2] = 0, [3] = 0; the
 *   hash map holds keys 100..107 with values 1000, 1, 2, ..., 7.
 *
 * Globals (sentinel-initialised ones are in .data so "never written" shows):
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *   .data (initial value 255, cpu_id 0xffffffff):
 *           __u32 arr_lookup2_null, arr_lookup4_null, hash_missing_null,
 *                 hash_deleted_null, hash_lookup108_null, cpu_id
 *           __u64 arr_initial
 *           __s64 arr_update_ret, arr_update_oob_ret, arr_noexist_ret,
 *                 arr_delete_ret, hash_exist_missing_ret, hash_insert_ret,
 *                 hash_insert_again_ret, hash_replace_ret, hash_delete_ret,
 *                 hash_delete_again_ret, hash_full_ret, hash_update_full_ret
 *   .bss    __u64 arr_value1, arr_value1_after_inc, hash_value5, hash_value100,
 *                 ktime_first, ktime_second, loop_sum
 *           __s64 hash_fill_ok, loop_ret
 *           __u32 ktime_nonzero, ktime_monotonic, prandom_a, prandom_b, steps, done
 * Runner settings: none.
 * Expected: run returns 0 and every global as listed.
 */
#define URING_BPF_HELPERS /* bpf_printk, map and time helpers */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} array_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} hash_map SEC(".maps");

/* ARRAY */
__u32 arr_lookup2_null = 255;
__u64 arr_initial = 255;
__s64 arr_update_ret = 255;
__u64 arr_value1;
__u64 arr_value1_after_inc;
__u32 arr_lookup4_null = 255;
__s64 arr_update_oob_ret = 255;
__s64 arr_noexist_ret = 255;
__s64 arr_delete_ret = 255;
/* HASH */
__u32 hash_missing_null = 255;
__s64 hash_exist_missing_ret = 255;
__s64 hash_insert_ret = 255;
__s64 hash_insert_again_ret = 255;
__s64 hash_replace_ret = 255;
__u64 hash_value5;
__s64 hash_delete_ret = 255;
__s64 hash_delete_again_ret = 255;
__u32 hash_deleted_null = 255;
__s64 hash_fill_ok;
__s64 hash_full_ret = 255;
__s64 hash_update_full_ret = 255;
__u64 hash_value100;
__u32 hash_lookup108_null = 255;
/* HELPERS */
__u64 ktime_first;
__u64 ktime_second;
__u32 ktime_nonzero;
__u32 ktime_monotonic;
__u32 prandom_a;
__u32 prandom_b;
__u32 cpu_id = 0xffffffff;
__s64 loop_ret;
__u64 loop_sum;
__u32 steps;
__u32 done;

struct loop_ctx {
	__u64 sum;
};

static long add_index(__u32 index, void *data)
{
	struct loop_ctx *lc = data;

	lc->sum += index + 1;
	return 0;
}

static __noinline void array_ops(void)
{
	__u32 key;
	__u64 value, *p;

	key = 2;
	p = bpf_map_lookup_elem(&array_map, &key);
	arr_lookup2_null = p == NULL;
	if (p)
		arr_initial = *p;

	key = 1;
	value = 111;
	arr_update_ret = bpf_map_update_elem(&array_map, &key, &value, BPF_ANY);
	p = bpf_map_lookup_elem(&array_map, &key);
	if (p) {
		arr_value1 = *p;
		*p += 1;
	}
	p = bpf_map_lookup_elem(&array_map, &key);
	if (p)
		arr_value1_after_inc = *p;

	key = 4;
	p = bpf_map_lookup_elem(&array_map, &key);
	arr_lookup4_null = p == NULL;
	value = 1;
	arr_update_oob_ret = bpf_map_update_elem(&array_map, &key, &value, BPF_ANY);

	key = 0;
	arr_noexist_ret = bpf_map_update_elem(&array_map, &key, &value, BPF_NOEXIST);

	key = 1;
	arr_delete_ret = bpf_map_delete_elem(&array_map, &key);
}

static __noinline void hash_ops(void)
{
	__u32 key, i;
	__u64 value, *p;
	long ret;

	key = 5;
	p = bpf_map_lookup_elem(&hash_map, &key);
	hash_missing_null = p == NULL;

	key = 6;
	value = 600;
	hash_exist_missing_ret = bpf_map_update_elem(&hash_map, &key, &value, BPF_EXIST);

	key = 5;
	value = 500;
	hash_insert_ret = bpf_map_update_elem(&hash_map, &key, &value, BPF_NOEXIST);
	value = 501;
	hash_insert_again_ret = bpf_map_update_elem(&hash_map, &key, &value, BPF_NOEXIST);
	value = 555;
	hash_replace_ret = bpf_map_update_elem(&hash_map, &key, &value, BPF_EXIST);
	p = bpf_map_lookup_elem(&hash_map, &key);
	if (p)
		hash_value5 = *p;
	hash_delete_ret = bpf_map_delete_elem(&hash_map, &key);
	hash_delete_again_ret = bpf_map_delete_elem(&hash_map, &key);
	p = bpf_map_lookup_elem(&hash_map, &key);
	hash_deleted_null = p == NULL;

	for (i = 0; i < 9; i++) {
		key = 100 + i;
		value = i;
		ret = bpf_map_update_elem(&hash_map, &key, &value, BPF_ANY);
		if (ret == 0)
			hash_fill_ok++;
		else
			hash_full_ret = ret;
	}

	key = 100;
	value = 1000;
	hash_update_full_ret = bpf_map_update_elem(&hash_map, &key, &value, BPF_ANY);
	p = bpf_map_lookup_elem(&hash_map, &key);
	if (p)
		hash_value100 = *p;
	key = 108;
	p = bpf_map_lookup_elem(&hash_map, &key);
	hash_lookup108_null = p == NULL;
}

SEC("struct_ops.s/maps_step")
URING_BPF_LOOP_STEP(maps_step, ctx, lp)
{
	struct loop_ctx lc = { .sum = 0 };

	steps++;
	array_ops();
	hash_ops();

	ktime_first = bpf_ktime_get_ns();
	ktime_second = bpf_ktime_get_ns();
	ktime_nonzero = ktime_first != 0;
	ktime_monotonic = ktime_second >= ktime_first;

	prandom_a = bpf_get_prandom_u32();
	prandom_b = bpf_get_prandom_u32();
	cpu_id = bpf_get_smp_processor_id();

	loop_ret = bpf_loop(10, add_index, &lc, 0);
	loop_sum = lc.sum;

	done = 1;
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops maps_ops = {
	.loop_step = (void *)maps_step,
};
