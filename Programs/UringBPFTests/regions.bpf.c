/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * regions: probes bpf_io_uring_get_region() once and STOPs. Each probe stores
 * 1 if the call returned NULL and 0 if it returned a region; every probe
 * global starts at 255 (.data) so "never probed" is visible.
 *
 *   probe               call                                      result global
 *   unknown id          get_region(ctx, 7, 8)                      unknown_null
 *   MEM, 8 bytes        get_region(ctx, IOU_REGION_MEM, 8)         mem_null
 *   CQ, exact size      get_region(ctx, IOU_REGION_CQ, cq_region_bytes)      cq_exact_null
 *   CQ, one byte more   get_region(ctx, IOU_REGION_CQ, cq_region_bytes + 1)  cq_over_null
 *   SQ, all SQEs        get_region(ctx, IOU_REGION_SQ, sq_entries * 64)      sq_null
 *
 * With a region it also proves the memory is the right one:
 *   MEM: writes the u64 0x1122334455667788 at MEM offset 0 (little-endian
 *        bytes 88 77 66 55 44 33 22 11), then sets mem_written = 1;
 *   CQ exact: cq_ring_entries_seen = the u32 at offset 28 (cq_ring_entries),
 *        cq_last_byte = the byte at offset cq_region_bytes - 1 (0 on a fresh ring);
 *   SQ: sq_first_opcode = byte 0 of SQE 0 (0 before anything was submitted).
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *           const volatile __u64 cq_region_bytes (default 4096)  SET IT to the
 *             page-rounded size of the runner's CQ ("rings") region:
 *             PAGE_ALIGN(ALIGN(64 + 16 * cq_entries, 64)) with NO_SQARRAY
 *             (4096 for any cq_entries <= 252, e.g. 16, 64, 128; 8192 for 256..508)
 *   .data   __u8 unknown_null, mem_null, cq_exact_null, cq_over_null, sq_null = 255
 *   .bss    __u8 mem_written; __u32 cq_ring_entries_seen; __u8 cq_last_byte;
 *           __u8 sq_first_opcode; __u32 steps
 * Runner settings: --set cq_region_bytes=<page-rounded CQ region size>;
 *   optionally --mem-size 4096 (a MEM region).
 * Expected: run returns 0, steps == 1, unknown_null == 1, cq_exact_null == 0,
 *   cq_over_null == 1, sq_null == 0, cq_ring_entries_seen == the ring's
 *   cq_entries, cq_last_byte == 0, sq_first_opcode == 0;
 *   without a MEM region: mem_null == 1, mem_written == 0;
 *   with --mem-size 4096: mem_null == 0, mem_written == 1, MEM bytes 0..7 ==
 *   88 77 66 55 44 33 22 11.
 *   If cq_region_bytes is set too small, cq_over_null becomes 0 (the test is
 *   then wrong, not the engine).
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define UNKNOWN_REGION_ID 7

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;
const volatile __u64 cq_region_bytes = 4096;

__u8 unknown_null = 255;
__u8 mem_null = 255;
__u8 cq_exact_null = 255;
__u8 cq_over_null = 255;
__u8 sq_null = 255;

__u8 mem_written;
__u32 cq_ring_entries_seen;
__u8 cq_last_byte;
__u8 sq_first_opcode;
__u32 steps;

SEC("struct_ops.s/regions_step")
URING_BPF_LOOP_STEP(regions_step, ctx, lp)
{
	__u8 *p;

	steps++;

	p = bpf_io_uring_get_region(ctx, UNKNOWN_REGION_ID, 8);
	unknown_null = p == NULL;

	p = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, 8);
	mem_null = p == NULL;
	if (p) {
		*(__u64 *)p = 0x1122334455667788ULL;
		mem_written = 1;
	}

	p = bpf_io_uring_get_region(ctx, IOU_REGION_CQ, cq_region_bytes);
	cq_exact_null = p == NULL;
	if (p) {
		cq_ring_entries_seen = ((struct iou_rings_header *)p)->cq_ring_entries;
		cq_last_byte = p[cq_region_bytes - 1];
	}

	p = bpf_io_uring_get_region(ctx, IOU_REGION_CQ, cq_region_bytes + 1);
	cq_over_null = p == NULL;

	p = bpf_io_uring_get_region(ctx, IOU_REGION_SQ, IOU_SQ_REGION_SIZE(sq_entries));
	sq_null = p == NULL;
	if (p)
		sq_first_opcode = p[0];

	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops regions_ops = {
	.loop_step = (void *)regions_step,
};
