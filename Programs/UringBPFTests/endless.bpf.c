/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * endless: never returns STOP, so only a signal (or the engine's step /
 * instruction budget) ends a run. The kernel accepts it: the loop is
 * interruptible there too (task_sigpending -> -EINTR).
 *   mode 0: CONTINUE with cq_wait_idx = cq.head (nr_wait <= 0: no waiting, the
 *           loop spins, calling loop_step as fast as it can);
 *   mode 1: CONTINUE with cq_wait_idx = cq.tail + 1 with nothing submitted: the
 *           loop waits for a CQE that never comes.
 * Each step increments `steps` first; state lives in .bss, so it survives an
 * interrupted run and a second run resumes counting.
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *   .bss    __u32 mode    0 (spin, default) or 1 (wait forever); --set mode=1
 *           __u64 steps   loop_step calls over all runs
 * Runner settings: --set mode=0|1 and a way to stop it: a signal
 *   (SIGINT/SIGTERM/SIGALRM, e.g. --timeout-ms N) or a step/instruction budget.
 * Expected: the run ends with EINTR (-4) only because of the signal/budget;
 *   mode 0: steps > 1 after a few ms (with a step budget B: steps == B);
 *   mode 1: steps == 1 after the first run in user mode (the wait never
 *     returns; in the kernel an early wake-up may add steps, so >= 1);
 *   a second run on the same loaded object continues: steps after run 2 >
 *     steps after run 1 (mode 1 user mode: exactly 2).
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__u32 mode;
__u64 steps;

SEC("struct_ops.s/endless_step")
URING_BPF_LOOP_STEP(endless_step, ctx, lp)
{
	struct iou_rings_header *rings;

	steps++;
	rings = (struct iou_rings_header *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
								   IOU_CQ_REGION_SIZE(cq_entries));
	if (!rings)
		return IOU_LOOP_CONTINUE;

	if (mode == 1)
		lp->cq_wait_idx = rings->cq_tail + 1;
	else
		lp->cq_wait_idx = rings->cq_head;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops endless_ops = {
	.loop_step = (void *)endless_step,
};
