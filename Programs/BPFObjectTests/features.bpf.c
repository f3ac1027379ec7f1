/* SPDX-License-Identifier: GPL-2.0 */
/* Test-only object exercising what ObjectFile reads: BTF-defined maps,
 * global data of every kind, .text subprograms shared by two programs, a
 * callback address, weak and strong kfunc externs, a non-link .struct_ops
 * variable, and the rarer BTF kinds (ENUM64, FLOAT, DECL_TAG, TYPE_TAG). */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

enum { MAP_HASH = 1, MAP_ARRAY = 2, MAP_PERCPU_ARRAY = 6, MAP_RINGBUF = 27 };

struct pair {
	__u64 first;
	__u32 second;
};

struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct pair);
} pairs SEC(".maps");

struct {
	__uint(type, MAP_HASH);
	__uint(max_entries, 128);
	__uint(key_size, 8);
	__uint(value_size, 4);
	__uint(map_flags, 1);
} counts SEC(".maps");

struct {
	__uint(type, MAP_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} scratch SEC(".maps");

struct {
	__uint(type, MAP_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* helpers by number, as libbpf's bpf_helper_defs.h declares them */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_loop)(__u32 nr, void *callback, void *ctx, __u64 flags) = (void *)181;

enum big_values : unsigned long long { BIG_ONE = 1ULL << 40, BIG_TWO = (1ULL << 40) + 2 };

const volatile __u32 limit = 7;
const char greeting[] = "hello";
__u64 counter = 3;
__u32 zeroed;
static __u32 hidden_state;
__u32 custom_value SEC(".data.custom") = 42;
double ratio = 1.5;
enum big_values big = BIG_TWO;
int __attribute__((btf_type_tag("user"))) *user_pointer;
__u32 tagged __attribute__((btf_decl_tag("test_tag"))) = 9;

extern int bpf_missing_kfunc(__u32 x) __ksym __weak;

struct test_ops {
	int (*first)(struct iou_ctx *ctx, struct iou_loop_params *lp);
	int (*second)(struct iou_ctx *ctx, struct iou_loop_params *lp);
	__u32 value;
	__u64 tag;
};

__noinline int add_twice(int x)
{
	return x + x + (int)limit;
}

static __noinline int bump(__u32 key)
{
	struct pair *p = bpf_map_lookup_elem(&pairs, &key);

	if (!p)
		return 0;
	p->second += 1;
	hidden_state++;
	return add_twice(p->second);
}

static int loop_body(__u32 index, void *ctx)
{
	counter += index;
	return 0;
}

SEC("struct_ops/first_step")
URING_BPF_LOOP_STEP(first_step, ctx, lp)
{
	zeroed = bump(1) + custom_value + greeting[1];
	lp->cq_wait_idx = tagged;
	return IOU_LOOP_STOP;
}

SEC("struct_ops.s/second_step")
URING_BPF_LOOP_STEP(second_step, ctx, lp)
{
	__u32 key = 0;

	bpf_loop(4, loop_body, NULL, 0);
	if (bpf_ksym_exists(bpf_missing_kfunc))
		counter += bpf_missing_kfunc(2);
	if (bpf_map_lookup_elem(&scratch, &key) && bpf_map_lookup_elem(&counts, &counter))
		counter++;
	bpf_io_uring_submit_sqes(ctx, bump(2));
	return IOU_LOOP_CONTINUE;
}

SEC("tc/ingress")
int classify(void *skb)
{
	return bpf_map_lookup_elem(&events, &zeroed) != NULL;
}

SEC(".struct_ops")
struct test_ops plain_ops = {
	.first = (void *)first_step,
	.second = (void *)second_step,
	.value = 77,
	.tag = 0x1122334455667788ULL,
};
