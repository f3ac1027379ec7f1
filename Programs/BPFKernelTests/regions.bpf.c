/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * regions: probes bpf_io_uring_get_region once and records in .bss which
 * calls returned NULL, then stops. When the MEM region is there, it writes
 * MEM_MARKER into its first 8 bytes for user space to see.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define MEM_MARKER 0x5eed0001ULL
#define UNKNOWN_REGION 7

/* The page-rounded size of the ring's CQ region; set from the ring before load. */
const volatile __u32 cq_region_size = 4096;

/* 1 if the call returned NULL, 0 if not, -1 if the step never ran. */
__s32 unknown_is_null = -1;
__s32 mem_is_null = -1;
__s32 cq_whole_is_null = -1;
__s32 cq_one_more_is_null = -1;

SEC("struct_ops/regions_step")
URING_BPF_LOOP_STEP(regions_step, ctx, lp)
{
	__u8 *mem;

	unknown_is_null = bpf_io_uring_get_region(ctx, UNKNOWN_REGION, 8) == NULL;
	mem = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 8);
	mem_is_null = mem == NULL;
	if (mem)
		*(__u64 *)mem = MEM_MARKER;
	cq_whole_is_null = bpf_io_uring_get_region(ctx, IOU_REGION_CQ, cq_region_size) == NULL;
	cq_one_more_is_null = bpf_io_uring_get_region(ctx, IOU_REGION_CQ, cq_region_size + 1) == NULL;
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops regions_ops = {
	.loop_step = (void *)regions_step,
};
