/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bpf_cp: the behaviour of liburing's test/bpf-progs/cp.bpf.c (driven by
 * test/bpf_cp.c), re-written for our header. Copies input_fd to output_fd at
 * queue depth 1 in chunks of buffer_size bytes through one user buffer:
 *   - nothing in flight yet: READ(input_fd, buffer_uptr, buffer_size,
 *     cur_offset) with token 1 (READ) at SQE 0;
 *   - a CQE is ready: more than one ready -> cp_result = -ERANGE, STOP;
 *     res < 0 -> cp_result = res, STOP;
 *     token 1 (READ): res == 0 is EOF -> cp_result = 0, STOP; else
 *       WRITE(output_fd, buffer_uptr, res, cur_offset) with token 2;
 *     token 2 (WRITE): cur_offset += res, then the next READ (token 1);
 *     any other token: bpf_printk("invalid token %llu\n", token),
 *       cp_result = -EINVAL, STOP;
 *     then cq.head++;
 *   - cq_wait_idx = cq.head + 1, CONTINUE.
 * A submit that does not return 1 sets cp_result = ret (or -EFAULT) and STOPs.
 * The run itself returns 0 in every one of these cases (all end in STOP); the
 * outcome is cp_result.
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *   .data   __s32 input_fd = -1, output_fd = -1   SET THEM (fds the test opened;
 *                                  the runner's process must own them)
 *           __u64 buffer_size = 4096               bytes per READ
 *   .bss    __u64 buffer_uptr      user address of the buffer; SET IT (@mem+0)
 *           __u64 bad_token        0 normally; when set (e.g. 3) the FIRST READ
 *                                  is tagged with this token instead of 1, to
 *                                  exercise the invalid-token path
 *           __u32 nr_inflight      1 once the first READ is issued (never drops,
 *                                  as in liburing)
 *           __u64 cur_offset       bytes copied so far (= file offset)
 *           __u32 nr_reads, nr_writes   CQEs of each kind handled (incl. the EOF read)
 *           __s32 cp_result        0 on success or a negative errno
 * Runner settings: --mem-size 4096 --set buffer_uptr=@mem+0
 *   --set input_fd=IN --set output_fd=OUT   (IN opened O_RDONLY, OUT O_WRONLY,
 *   both regular files; OUT may be empty or pre-truncated to the input size)
 * Expected for an input of S bytes (S >= 0): run returns 0, cp_result == 0,
 *   cur_offset == S, output bytes == input bytes,
 *   nr_writes == ceil(S / 4096), nr_reads == nr_writes + 1.
 * Expected with --set bad_token=3: run returns 0, cp_result == -22 (EINVAL),
 *   cur_offset == 0, nr_reads == 0, output untouched, and the trace output has
 *   exactly one printk line: "invalid token 3" (format "invalid token %llu\n").
 * Without input_fd set: the READ fails with -EBADF -> cp_result == -9, run returns 0.
 */
#define URING_BPF_HELPERS /* bpf_printk, map and time helpers */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

enum {
	REQ_TOKEN_READ = 1,
	REQ_TOKEN_WRITE = 2,
};

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__s32 input_fd = -1;
__s32 output_fd = -1;
__u64 buffer_size = 4096;

__u64 buffer_uptr;
__u64 bad_token;
__u32 nr_inflight;
__u64 cur_offset;
__u32 nr_reads;
__u32 nr_writes;
__s32 cp_result;

/* Prepare and submit the next request at SQE 0. Returns 0 or a negative errno
 * (cp_result is set then). */
static __noinline int issue_next_req(struct iou_ctx *ctx, struct io_uring_sqe *sqe, int type,
				     __u32 size, __u64 token)
{
	int ret;

	if (type == REQ_TOKEN_READ)
		iou_prep_read(sqe, input_fd, buffer_uptr, size, cur_offset, token);
	else
		iou_prep_write(sqe, output_fd, buffer_uptr, size, cur_offset, token);

	ret = bpf_io_uring_submit_sqes(ctx, 1);
	if (ret != 1) {
		cp_result = ret < 0 ? ret : -EFAULT;
		return cp_result;
	}
	return 0;
}

SEC("struct_ops.s/bpf_cp_step")
URING_BPF_LOOP_STEP(bpf_cp_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	struct io_uring_cqe *cqes, *cqe;
	__u64 token;

	sqes = (struct io_uring_sqe *)bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
							      IOU_SQ_REGION_SIZE(sq_entries));
	rings = (struct iou_rings_header *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
								   IOU_CQ_REGION_SIZE(cq_entries));
	if (!sqes || !rings) {
		cp_result = -EINVAL;
		return IOU_LOOP_STOP;
	}
	cqes = (struct io_uring_cqe *)((__u8 *)rings + IOU_RINGS_CQES);

	if (!nr_inflight) {
		nr_inflight++;
		token = bad_token ? bad_token : REQ_TOKEN_READ;
		if (issue_next_req(ctx, &sqes[0], REQ_TOKEN_READ, buffer_size, token))
			return IOU_LOOP_STOP;
	}

	if (rings->cq_tail != rings->cq_head) {
		if (rings->cq_tail - rings->cq_head != 1) {
			cp_result = -ERANGE;
			return IOU_LOOP_STOP;
		}
		cqe = &cqes[rings->cq_head & (cq_entries - 1)];
		if (cqe->res < 0) {
			cp_result = cqe->res;
			return IOU_LOOP_STOP;
		}
		switch (cqe->user_data) {
		case REQ_TOKEN_READ:
			nr_reads++;
			if (cqe->res == 0) {
				cp_result = 0;
				return IOU_LOOP_STOP;
			}
			if (issue_next_req(ctx, &sqes[0], REQ_TOKEN_WRITE, cqe->res, REQ_TOKEN_WRITE))
				return IOU_LOOP_STOP;
			break;
		case REQ_TOKEN_WRITE:
			nr_writes++;
			cur_offset += cqe->res;
			if (issue_next_req(ctx, &sqes[0], REQ_TOKEN_READ, buffer_size, REQ_TOKEN_READ))
				return IOU_LOOP_STOP;
			break;
		default:
			bpf_printk("invalid token %llu\n", cqe->user_data);
			cp_result = -EINVAL;
			return IOU_LOOP_STOP;
		}
		rings->cq_head += 1;
	}

	lp->cq_wait_idx = rings->cq_head + 1;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops bpf_cp_ops = {
	.loop_step = (void *)bpf_cp_step,
};
