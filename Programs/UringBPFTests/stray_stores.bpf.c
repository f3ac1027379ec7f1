/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * stray_stores: stores the kernel verifier refuses at load ("write into map
 * forbidden", "invalid variable-offset stack access"). With the load-time
 * verification off, the userspace engine stops them at run time, and its
 * message must say what is wrong:
 *   mode 0: a 4-byte store to the .rodata global `limit`      line "RODATA-STORE"
 *           -> the message says the region is read-only
 *   mode 1: an 8-byte store `below` bytes under a local of this frame
 *                                                             line "BELOW-FRAME"
 *           -> the message names the stack, and no region that contains the
 *              address (the stack below the current frame belongs to no one)
 *   then done = 1 and STOP. Each store is the only statement on its code line,
 *   which ends with its marker.
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *           const volatile __u32 limit = 5
 *   .bss    __u32 mode    0 or 1; SET IT
 *           __u32 done    1 only if the step got past the store
 *   .data   __u64 below = 1024   bytes under the local for mode 1 (the frame is
 *           512 bytes, so 1024 is in the stack's memory but below this frame)
 * Runner settings: user mode, --no-verify, --set mode=0|1.
 * Expected: the run fails with EFAULT at the marked line; done == 0; limit == 5.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;
const volatile __u32 limit = 5;

__u32 mode;
__u32 done;
__u64 below = 1024;

SEC("struct_ops.s/stray_stores_step")
URING_BPF_LOOP_STEP(stray_stores_step, ctx, lp)
{
	volatile __u64 local = 1;

	if (mode == 0) {
		*(volatile __u32 *)&limit = 6; /* RODATA-STORE */
	} else if (mode == 1) {
		*(volatile __u64 *)((char *)&local - below) = 2; /* BELOW-FRAME */
	}
	done = local;
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops stray_stores_ops = {
	.loop_step = (void *)stray_stores_step,
};
