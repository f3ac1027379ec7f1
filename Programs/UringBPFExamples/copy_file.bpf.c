/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * copy_file: copy one file to another at queue depth 1. Opens the input and
 * the output (created/truncated, mode 0644), then alternates read(in) and
 * write(out) of up to buf_len bytes through a user buffer until read returns
 * 0 (EOF), then closes both.
 *
 * Globals (the runner prints them):
 *   .bss   in_path_addr, out_path_addr  user-space addresses of the
 *                                       NUL-terminated paths (set them)
 *          buf_addr   user-space address of the copy buffer (set it)
 *   .data  buf_len    bytes per read (default 4096); in_fd, out_fd (-1 until opened)
 *   .bss   bytes_copied, reads, writes, state, error (0 or -errno)
 * Runner usage: both paths at the start of MEM, the buffer at MEM+4096:
 *   printf '/etc/services\0/tmp/services.copy\0' > paths.bin
 *   uring-bpf run copy_file.bpf.o --mem-size 16384 --mem-file paths.bin \
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

static __always_inline int fail(int err)
{
	error = err;
	return IOU_LOOP_STOP;
}

/* Decide the next request from the CQE of the previous one. Returns the token
 * of the request prepared in *sqe, 0 when done, or a negative errno. */
static __noinline int next_request(struct io_uring_sqe *sqe, __u64 token, int res)
{
	switch (token) {
	case 0:
		if (!in_path_addr || !out_path_addr || !buf_addr)
			return -EINVAL;
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
		if (res == 0) {
			iou_prep_close(sqe, in_fd, TOKEN_CLOSE_IN);
			return TOKEN_CLOSE_IN;
		}
		iou_prep_write(sqe, out_fd, buf_addr, res, bytes_copied, TOKEN_WRITE);
		return TOKEN_WRITE;
	case TOKEN_WRITE:
		writes++;
		bytes_copied += res;
		break;
	case TOKEN_CLOSE_IN:
		iou_prep_close(sqe, out_fd, TOKEN_CLOSE_OUT);
		return TOKEN_CLOSE_OUT;
	case TOKEN_CLOSE_OUT:
		return 0;
	default:
		return -EIO;
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
	if (!sqes || !rings)
		return fail(-EINVAL);

	if (state != 0) {
		if (!iou_reap_cqe(rings, cq_entries, &cqe)) {
			lp->cq_wait_idx = rings->cq_head + 1;
			return IOU_LOOP_CONTINUE;
		}
		if (cqe.user_data != state)
			return fail(-EIO);
		if (cqe.res < 0)
			return fail(cqe.res);
	}

	next = next_request(&sqes[0], state, cqe.res);
	if (next <= 0) {
		state = 0;
		return next < 0 ? fail(next) : IOU_LOOP_STOP;
	}
	state = next;
	ret = bpf_io_uring_submit_sqes(ctx, 1);
	if (ret != 1)
		return fail(ret < 0 ? ret : -EIO);
	lp->cq_wait_idx = rings->cq_head + 1;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops copy_file_ops = {
	.loop_step = (void *)copy_file_step,
};
