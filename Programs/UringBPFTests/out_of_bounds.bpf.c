/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * out_of_bounds: touches memory outside what it was given, through pointers
 * the kernel verifier cannot bound. THE KERNEL VERIFIER REJECTS THIS PROGRAM
 * (unbounded variable offset into the get_region memory / a scalar used as a
 * pointer); it exists so the userspace engine proves it refuses such accesses
 * AT RUN TIME, naming the instruction, this file and the source line.
 *
 * One step: steps++, gets the CQ region with exactly
 * IOU_CQ_REGION_SIZE(cq_entries) = 64 + 16 * cq_entries bytes (the engine must
 * enforce that size, not the page-rounded one), then by `mode`:
 *   mode 0: value_read = 4-byte load at region + oob_index     line "OOB-READ"
 *   mode 1: 4-byte store 0xdeadbeef at region + oob_index       line "OOB-WRITE"
 *   mode 2: 8-byte store 0x4141414141414141 at address bad_ptr   line "WILD-WRITE"
 *   then done = 1 and STOP.
 * Each bad access is the only statement on its code line, which ends with a
 * marker comment (OOB-READ, OOB-WRITE, WILD-WRITE). The line to expect in the
 * error is the first line of code (not of this header) containing the marker:
 * LoopTestPrograms.line(of: "OOB-READ", in: "out_of_bounds") skips comment lines.
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *   .bss    __u32 mode        0, 1 or 2 (see above); SET IT
 *           __u64 oob_index   byte offset into the CQ region; SET IT
 *                             (treated as unsigned: 2^64-8 means region - 8)
 *           __u32 value_read  result of mode 0
 *           __u32 steps       1 after the run, whether it failed or not
 *           __u32 done        1 only if the step got past the access
 *   .data   __u64 bad_ptr = 0x00007fff00000000   address for mode 2; SET IT to
 *             any address outside the program's memory (e.g. a host heap address)
 * Runner settings / expected outcomes (R = 64 + 16 * ring cq_entries):
 *   --set mode=0 --set oob_index=R      -> run fails: out-of-region read of 4
 *       bytes at region+R (the "OOB-READ" line, instruction = the ldx), steps == 1,
 *       done == 0
 *   --set mode=0 --set oob_index=R-2    -> fails too (the 4 bytes straddle the end)
 *   --set mode=0 --set oob_index=18446744073709551608 (-8) -> fails (before the region)
 *   --set mode=1 --set oob_index=R      -> fails: out-of-region write ("OOB-WRITE")
 *   --set mode=2 [--set bad_ptr=ADDR]   -> fails: write to an address in no region
 *       ("WILD-WRITE"); host memory at ADDR unchanged
 *   control: --set mode=0 --set oob_index=28 -> run returns 0, done == 1,
 *       value_read == the ring's cq_entries (cq_ring_entries at offset 28)
 *   control: --set mode=1 --set oob_index=R-4 -> run returns 0, done == 1 (the last
 *       4 bytes of the last CQE slot are written; nothing was in flight)
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__u32 mode;
__u64 oob_index;
__u32 value_read;
__u32 steps;
__u32 done;
__u64 bad_ptr = 0x00007fff00000000ULL;

SEC("struct_ops.s/out_of_bounds_step")
URING_BPF_LOOP_STEP(out_of_bounds_step, ctx, lp)
{
	__u8 *rings;

	steps++;
	rings = bpf_io_uring_get_region(ctx, IOU_REGION_CQ, IOU_CQ_REGION_SIZE(cq_entries));
	if (!rings)
		return IOU_LOOP_STOP;

	if (mode == 0) {
		value_read = *(volatile __u32 *)(rings + oob_index); /* OOB-READ */
	} else if (mode == 1) {
		*(volatile __u32 *)(rings + oob_index) = 0xdeadbeef; /* OOB-WRITE */
	} else if (mode == 2) {
		*(volatile __u64 *)bad_ptr = 0x4141414141414141ULL; /* WILD-WRITE */
	}
	done = 1;
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops out_of_bounds_ops = {
	.loop_step = (void *)out_of_bounds_step,
};
