/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hostile_sqes: submits SQEs that aim the kernel at memory outside MEM, for the
 * SQE-sandbox suite (SQESandboxTests). The SQEs come from the test (sqes_in);
 * `patch` then points sqes[0]'s addr at memory only the program knows the
 * address of. With the sandbox on (user mode's default) each hostile SQE must
 * complete with -EFAULT or -EOPNOTSUPP and leave the host untouched; in kernel
 * mode the kernel performs what it can (the guest check sqe-sandbox-hostile).
 *
 * Step 1: copies sqes_in[0..nr_sqes) (at most 4) to SQ indices 0..n-1, applies
 * `patch` to sqes[0].addr, submits n SQEs (submitted = the kfunc's result) and
 * sleeps until n CQEs have arrived. Later steps reap CQEs in arrival order into
 * res[] / res_data[] and STOP once nr_sqes have been reaped.
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *           const volatile __u32 patch (default 0): what sqes[0].addr becomes
 *             0: as given
 *             1: &scratch - 4096 (a page below a global: the host's heap in
 *                user mode; a kernel address in kernel mode)
 *             2: the address of a 64-byte buffer on the program's stack
 *             3: the CQ region's address (program memory, not MEM)
 *             4: &scratch (a global: program memory, not MEM)
 *           Patches 1-4 store a pointer in the SQ region, which the kernel
 *           verifier refuses (pointer leak): run them with verification off.
 *   .bss    struct io_uring_sqe sqes_in[4]; __u32 nr_sqes   SET THEM
 *           __s32 submitted            bpf_io_uring_submit_sqes's result
 *           __s32 res[4]; __u64 res_data[4]; __u32 reaped   the CQEs, in order
 *           __u64 scratch[8]            a global for patches 1 and 4
 * Expected outcome: the run returns 0 (STOP), reaped == nr_sqes.
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;
const volatile __u32 patch = 0;

struct io_uring_sqe sqes_in[4];
__u32 nr_sqes;
__s32 submitted;
__s32 res[4];
__u64 res_data[4];
__u32 reaped;
__u32 steps;
__u64 scratch[8];

SEC("struct_ops.s/hostile_sqes_step")
URING_BPF_LOOP_STEP(hostile_sqes_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	struct io_uring_cqe cqe;
	volatile __u64 stack_buffer[8] = {};
	__u32 n = nr_sqes, i;

	steps++;
	if (n > 4)
		n = 4;
	sqes = bpf_io_uring_get_region(ctx, IOU_REGION_SQ, IOU_SQ_REGION_SIZE(sq_entries));
	rings = bpf_io_uring_get_region(ctx, IOU_REGION_CQ, IOU_CQ_REGION_SIZE(cq_entries));
	if (!sqes || !rings || sq_entries < 4) {
		submitted = -22;
		return IOU_LOOP_STOP;
	}

	if (steps == 1) {
		for (i = 0; i < 4; i++)
			if (i < n)
				sqes[i] = sqes_in[i];
		if (patch == 1)
			sqes[0].addr = (__u64)&scratch - 4096;
		else if (patch == 2)
			sqes[0].addr = (__u64)stack_buffer;
		else if (patch == 3)
			sqes[0].addr = (__u64)rings;
		else if (patch == 4)
			sqes[0].addr = (__u64)&scratch;
		submitted = bpf_io_uring_submit_sqes(ctx, n);
		if (submitted < 0)
			return IOU_LOOP_STOP;
		lp->cq_wait_idx = rings->cq_head + n;
		return IOU_LOOP_CONTINUE;
	}

	for (i = 0; i < 4; i++) {
		if (reaped >= 4 || !iou_reap_cqe(rings, cq_entries, &cqe))
			break;
		res[reaped & 3] = cqe.res;
		res_data[reaped & 3] = cqe.user_data;
		reaped++;
	}
	if (reaped >= n)
		return IOU_LOOP_STOP;
	lp->cq_wait_idx = rings->cq_head + (n - reaped);
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops hostile_sqes_ops = {
	.loop_step = (void *)hostile_sqes_step,
};
