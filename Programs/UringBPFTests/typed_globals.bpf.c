/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * typed_globals: globals and a map of many C types, for the Swift accessors
 * BPFCompilerPlugin generates (enum TypedGlobals). One step changes each value
 * in a way a wrong layout would get wrong, then stops:
 *   small: -2 → -3; ushort: 65000 → 65001; big: 2^63 → 2^63 + 1; flag: 1 → 0;
 *   ratio: 0.5 → 1.5; shade: GREEN → BLUE; triple: {1, 2, 3} → {10, 20, 30};
 *   pair: {7, 8} → {7, 15} (b += a); pairs[1] = pair; name "uring" → "Uring";
 *   map by_id: 1 → pair, 2 → pairs[0].
 * Globals that Swift cannot mirror get raw bytes: mixed (a union), packed (bitfields).
 * Runner settings: none. Expected: run returns 0, values as above.
 */
#define URING_BPF_HELPERS /* bpf_map_update_elem */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

enum shade { RED, GREEN = 5, BLUE = 6 };

struct pair {
	__u64 a;
	__u32 b;
};

union mixed {
	__u32 word;
	__u8 bytes[4];
};

struct packed {
	__u32 low : 4;
	__u32 high : 28;
};

__s8 small = -2;
unsigned short ushort = 65000;
__u64 big = 1ULL << 63;
_Bool flag = 1;
double ratio = 0.5;
enum shade shade = GREEN;
__u32 triple[3] = { 1, 2, 3 };
struct pair pair = { 7, 8 };
struct pair pairs[2];
char name[8] = "uring";
union mixed mixed = { .word = 0x01020304 };
struct packed packed = { .low = 3, .high = 5 };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct pair);
	__uint(max_entries, 4);
} by_id SEC(".maps");

SEC("struct_ops.s/typed_globals_step")
URING_BPF_LOOP_STEP(typed_globals_step, ctx, lp)
{
	__u32 key, i;

	small -= 1;
	ushort += 1;
	big += 1;
	flag = !flag;
	ratio = 1.5; /* a constant: BPF has no floating-point arithmetic */
	shade = BLUE;
	for (i = 0; i < 3; i++)
		triple[i] *= 10;
	pair.b += pair.a;
	pairs[1] = pair;
	pairs[0].a = 42;
	name[0] = 'U';
	key = 1;
	bpf_map_update_elem(&by_id, &key, &pair, BPF_ANY);
	key = 2;
	bpf_map_update_elem(&by_id, &key, &pairs[0], BPF_ANY);
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops typed_globals_ops = {
	.loop_step = (void *)typed_globals_step,
};
