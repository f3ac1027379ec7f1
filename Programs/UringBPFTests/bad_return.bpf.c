/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bad_return: loop_step returns 2, which is neither IOU_LOOP_CONTINUE (0) nor
 * IOU_LOOP_STOP (1). The kernel (io_run_loop) ends the io_uring_enter with
 * -EINVAL after that first step; the verifier accepts the program (struct_ops
 * int returns are not range-checked).
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *           (unused; present for the runner's conventions)
 *   .bss    __u32 steps   loop_step calls (incremented before returning 2)
 * Runner settings: none.
 * Expected: run fails with EINVAL (-22) after exactly 1 step: steps == 1,
 *   nothing submitted. A second run fails the same way and leaves steps == 2.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__u32 steps;

SEC("struct_ops.s/bad_return_step")
URING_BPF_LOOP_STEP(bad_return_step, ctx, lp)
{
	steps++;
	return 2; /* not CONTINUE, not STOP */
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops bad_return_ops = {
	.loop_step = (void *)bad_return_step,
};
