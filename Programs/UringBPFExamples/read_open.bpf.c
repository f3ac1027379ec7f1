/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * read_open: read(open(path)). Opens a file, passes the fd from the openat
 * CQE to a read of up to buf_len bytes, then closes it: three requests, each
 * issued by the step that reaped the previous one's CQE.
 *
 * Globals (the runner prints them):
 *   .bss   path_addr  user-space address of the NUL-terminated path (set it)
 *          buf_addr   user-space address of the read buffer (set it)
 *   .data  buf_len    bytes to read (default 4096), fd (-1 until opened)
 *   .bss   bytes_read, closed, state, error (0 or -errno)
 * Runner usage: put the path at the start of MEM and read into MEM+4096:
 *   printf '/etc/hostname\0' > path.bin
 *   uring-bpf run read_open --mem-size 8192 --mem-file path.bin \
 *       --set path_addr=@mem+0 --set buf_addr=@mem+4096
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

enum { TOKEN_OPEN = 1, TOKEN_READ = 2, TOKEN_CLOSE = 3 };
enum { STATE_START = 0, STATE_OPENING, STATE_READING, STATE_CLOSING, STATE_DONE };

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

__u64 path_addr = 0;
__u64 buf_addr = 0;
__u32 buf_len = 4096;

__s32 fd = -1;
__s32 bytes_read;
__u32 closed;
__u32 state;
__s32 error;

static __always_inline int fail(int err)
{
	error = err;
	return IOU_LOOP_STOP;
}

SEC("struct_ops.s/read_open_step")
URING_BPF_LOOP_STEP(read_open_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	struct io_uring_cqe cqe;
	int ret;

	sqes = (struct io_uring_sqe *)bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
							      IOU_SQ_REGION_SIZE(sq_entries));
	rings = (struct iou_rings_header *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
								   IOU_CQ_REGION_SIZE(cq_entries));
	if (!sqes || !rings)
		return fail(-EINVAL);

	if (state == STATE_START) {
		if (!path_addr || !buf_addr)
			return fail(-EINVAL);
		iou_prep_openat(&sqes[0], AT_FDCWD, path_addr, O_RDONLY, 0, TOKEN_OPEN);
		state = STATE_OPENING;
	} else {
		if (!iou_reap_cqe(rings, cq_entries, &cqe)) {
			lp->cq_wait_idx = rings->cq_head + 1;
			return IOU_LOOP_CONTINUE;
		}
		if (cqe.res < 0)
			return fail(cqe.res);
		switch (cqe.user_data) {
		case TOKEN_OPEN:
			fd = cqe.res;
			iou_prep_read(&sqes[0], fd, buf_addr, buf_len, 0, TOKEN_READ);
			state = STATE_READING;
			break;
		case TOKEN_READ:
			bytes_read = cqe.res;
			iou_prep_close(&sqes[0], fd, TOKEN_CLOSE);
			state = STATE_CLOSING;
			break;
		case TOKEN_CLOSE:
			closed = 1;
			state = STATE_DONE;
			return IOU_LOOP_STOP;
		default:
			return fail(-EIO);
		}
	}

	ret = bpf_io_uring_submit_sqes(ctx, 1);
	if (ret != 1)
		return fail(ret < 0 ? ret : -EIO);
	lp->cq_wait_idx = rings->cq_head + 1;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops read_open_ops = {
	.loop_step = (void *)read_open_step,
};
