/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * copy_file: copy one file to another at queue depth 1. Opens the input and
 * the output (created/truncated, mode 0644), then alternates read(in) and
 * write(out) of up to buf_len bytes through a user buffer until read returns
 * 0 (EOF), then closes both. Whatever fails (an open, a read, a write), what
 * was opened is closed before the run stops, with the first error in error.
 *
 * Globals (the runner prints them):
 *   .bss   in_path_addr, out_path_addr  user-space addresses of the
 *                                       NUL-terminated paths (set them)
 *          buf_addr   user-space address of the copy buffer (set it)
 *   .data  buf_len    bytes per read (default 4096); in_fd, out_fd (-1 until
 *                     opened, and again once closed)
 *   .bss   bytes_copied, reads, writes, state, error (0 or the first -errno)
 * Runner usage: both paths at the start of MEM, the buffer at MEM+4096:
 *   printf '/etc/services\0/tmp/services.copy\0' > paths.bin
 *   uring-bpf run copy_file --mem-size 16384 --mem-file 0:paths.bin \
 *       --set in_path_addr=@mem+0 --set out_path_addr=@mem+14 \
 *       --set buf_addr=@mem+4096 --set buf_len=8192
 *   (out_path_addr = @mem + strlen(input path) + 1)
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

enum {
	TOKEN_OPEN_IN = 1,
	TOKEN_OPEN_OUT,
	TOKEN_READ,
	TOKEN_WRITE,
	TOKEN_CLOSE_IN,
	TOKEN_CLOSE_OUT,
};

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__u64 in_path_addr = 0;
__u64 out_path_addr = 0;
__u64 buf_addr = 0;
__u32 buf_len = 4096;

__s32 in_fd = -1;
__s32 out_fd = -1;
__u64 bytes_copied;
__u32 reads;
__u32 writes;
__u32 state; /* the token of the request in flight, 0 before the first */
__s32 error;

/* Prepares the close of the next open file: the token, or 0 when none is open. */
static __always_inline int close_next(struct io_uring_sqe *sqe)
{
	if (in_fd >= 0) {
		iou_prep_close(sqe, in_fd, TOKEN_CLOSE_IN);
		return TOKEN_CLOSE_IN;
	}
	if (out_fd >= 0) {
		iou_prep_close(sqe, out_fd, TOKEN_CLOSE_OUT);
		return TOKEN_CLOSE_OUT;
	}
	return 0;
}

/* Decide the next request from the result of the previous one (token). Returns
 * the token of the request prepared in *sqe, or 0 when done. After a failure
 * (res < 0, recorded in error) the only requests are the closes. */
static __noinline int next_request(struct io_uring_sqe *sqe, __u64 token, int res)
{
	/* A close is over whatever its result: the fd is gone either way. */
	if (token == TOKEN_CLOSE_IN)
		in_fd = -1;
	else if (token == TOKEN_CLOSE_OUT)
		out_fd = -1;
	if (res < 0 && !error)
		error = res;
	if (error)
		return close_next(sqe);

	switch (token) {
	case 0:
		if (!in_path_addr || !out_path_addr || !buf_addr) {
			error = -EINVAL;
			return 0;
		}
		iou_prep_openat(sqe, AT_FDCWD, in_path_addr, O_RDONLY, 0, TOKEN_OPEN_IN);
		return TOKEN_OPEN_IN;
	case TOKEN_OPEN_IN:
		in_fd = res;
		iou_prep_openat(sqe, AT_FDCWD, out_path_addr, O_WRONLY | O_CREAT | O_TRUNC, 0644,
				TOKEN_OPEN_OUT);
		return TOKEN_OPEN_OUT;
	case TOKEN_OPEN_OUT:
		out_fd = res;
		break;
	case TOKEN_READ:
		reads++;
		if (res == 0)
			return close_next(sqe);
		iou_prep_write(sqe, out_fd, buf_addr, res, bytes_copied, TOKEN_WRITE);
		return TOKEN_WRITE;
	case TOKEN_WRITE:
		writes++;
		bytes_copied += res;
		break;
	case TOKEN_CLOSE_IN:
	case TOKEN_CLOSE_OUT:
		return close_next(sqe);
	default:
		error = -EIO;
		return close_next(sqe);
	}
	iou_prep_read(sqe, in_fd, buf_addr, buf_len, bytes_copied, TOKEN_READ);
	return TOKEN_READ;
}

SEC("struct_ops.s/copy_file_step")
URING_BPF_LOOP_STEP(copy_file_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	struct io_uring_cqe cqe = {};
	int next, ret;

	sqes = (struct io_uring_sqe *)bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
							      IOU_SQ_REGION_SIZE(sq_entries));
	rings = (struct iou_rings_header *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
								   IOU_CQ_REGION_SIZE(cq_entries));
	if (!sqes || !rings) {
		error = -EINVAL;
		return IOU_LOOP_STOP;
	}

	if (state != 0) {
		if (!iou_reap_cqe(rings, cq_entries, &cqe)) {
			lp->cq_wait_idx = rings->cq_head + 1;
			return IOU_LOOP_CONTINUE;
		}
		if (cqe.user_data != state)
			cqe.res = -EIO;
	}

	next = next_request(&sqes[0], state, cqe.res);
	state = next;
	if (!next)
		return IOU_LOOP_STOP;
	ret = bpf_io_uring_submit_sqes(ctx, 1);
	if (ret != 1) {
		/* Nothing was queued, so nothing more can be: stop with what is open. */
		error = ret < 0 ? ret : -EIO;
		return IOU_LOOP_STOP;
	}
	lp->cq_wait_idx = rings->cq_head + 1;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops copy_file_ops = {
	.loop_step = (void *)copy_file_step,
};
