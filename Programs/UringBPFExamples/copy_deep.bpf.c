/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * copy_deep: copy a file with up to `depth` reads and writes in flight. Opens
 * the input and the output (created/truncated, mode 0644); then each of
 * `depth` buffer slots copies one buf_len-byte range of the file after
 * another: read(in) into the slot's buffer, then, from the read's CQE, write
 * (out) of what was read at the same offset. The program hands out the
 * ranges and tracks every offset: a short write writes the rest, a short read
 * reads the rest of its range after writing what it got, and a read of 0
 * (end of file) retires the slot. Once no slot is busy, both files are
 * closed. After a failure (an open, a read, a write) no new range starts; what
 * is in flight completes, then what was opened is closed: the first error in
 * error, every failed request counted in errors.
 *
 * Globals (the runner prints them):
 *   .bss   in_path_addr, out_path_addr  user-space addresses of the
 *                                       NUL-terminated paths (set them)
 *          bufs_addr  user-space address of slot 0's buffer (set it); slot k's
 *                     is bufs_addr + k * buf_len
 *   .data  buf_len    bytes per slot (default 65536), depth (default 8, at
 *                     most 64 and sq_entries - 2); in_fd, out_fd (-1 until
 *                     opened, and again once closed)
 *   .bss   bytes_copied, reads, writes, short_writes, errors, error (0 or the
 *          first -errno)
 * Runner usage: both paths at the start of MEM, 4 buffers of 16 KiB from MEM+4096:
 *   seq 1 100000 > in
 *   printf '%s\0%s\0' "$PWD/in" "$PWD/out" > paths.bin
 *   uring-bpf run copy_deep --mem-size 69632 --mem-file 0:paths.bin \
 *       --set in_path_addr=@mem+0 --set out_path_addr=@mem+$((${#PWD} + 4)) \
 *       --set bufs_addr=@mem+4096 --set buf_len=16384 --set depth=4
 *   cmp in out
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_DEPTH 64
/* A constant per-step cap keeps the verifier's work bounded; what is left waits for the next step. */
#define MAX_REAP_PER_STEP 32

enum {
	OP_OPEN_IN = 1,
	OP_OPEN_OUT,
	OP_READ,
	OP_WRITE,
	OP_CLOSE_IN,
	OP_CLOSE_OUT,
};
enum { PHASE_START = 0, PHASE_OPENING, PHASE_FILLING, PHASE_COPYING, PHASE_CLOSING };

const volatile __u32 sq_entries = 64;
const volatile __u32 cq_entries = 128;

__u64 in_path_addr;
__u64 out_path_addr;
__u64 bufs_addr;
__u32 buf_len = 65536;
__u32 depth = 8;

__s32 in_fd = -1;
__s32 out_fd = -1;
__u64 bytes_copied;
__u32 reads;
__u32 writes;
__u32 short_writes;
__u32 errors;
__s32 error;

/* Loop bookkeeping. */
__u32 phase;
__u32 eof;      /* a read returned 0: no range starts after it */
__u32 active;   /* slots with a request in flight */
__u32 queued;   /* SQEs of this step (SQ_REWIND: at indices 0..queued-1) */
__u64 next_off; /* the start of the next range to hand out */
__u64 slot_pos[MAX_DEPTH];  /* the file offset the slot's current piece starts at */
__u64 slot_end[MAX_DEPTH];  /* the end of the slot's range */
__u32 slot_len[MAX_DEPTH];  /* bytes of the piece being written */
__u32 slot_done[MAX_DEPTH]; /* bytes of it written so far */

static __always_inline void note_error(int res)
{
	errors++;
	if (!error)
		error = res;
}

static __always_inline __u64 user_data(__u32 op, __u32 slot)
{
	return (__u64)op << 32 | slot;
}

/* The next SQE of this step, or NULL when the SQ is full. A global counter, so that the verifier's
 * states do not differ by it. */
static __always_inline struct io_uring_sqe *next_sqe(struct io_uring_sqe *sqes)
{
	__u32 i = queued;

	if (i >= sq_entries || i >= MAX_DEPTH + 2)
		return NULL;
	queued = i + 1;
	return &sqes[i];
}

static __always_inline __u64 buffer(__u32 slot)
{
	return bufs_addr + (__u64)slot * buf_len;
}

/* Gives `slot` the next range, or retires it (end of file seen, or an error). */
static __always_inline int start_range(struct io_uring_sqe *sqes, __u32 slot)
{
	struct io_uring_sqe *sqe;

	if (eof || error) {
		active--;
		return 0;
	}
	sqe = next_sqe(sqes);
	if (!sqe)
		return -EIO;
	slot_pos[slot] = next_off;
	slot_end[slot] = next_off + buf_len;
	next_off += buf_len;
	iou_prep_read(sqe, in_fd, buffer(slot), buf_len, slot_pos[slot], user_data(OP_READ, slot));
	return 0;
}

/* Once no slot is busy: close what is open; 0 when nothing is (the copy is over). */
static __always_inline int close_all(struct io_uring_sqe *sqes)
{
	struct io_uring_sqe *sqe;
	int closing = 0;

	phase = PHASE_CLOSING;
	if (in_fd >= 0 && (sqe = next_sqe(sqes))) {
		iou_prep_close(sqe, in_fd, user_data(OP_CLOSE_IN, 0));
		closing++;
	}
	if (out_fd >= 0 && (sqe = next_sqe(sqes))) {
		iou_prep_close(sqe, out_fd, user_data(OP_CLOSE_OUT, 0));
		closing++;
	}
	return closing;
}

/* One CQE of the copy: queues what follows from it. */
static __always_inline int on_copy_cqe(struct io_uring_sqe *sqes, __u32 op, __u32 slot, int res)
{
	struct io_uring_sqe *sqe;
	__u32 done, len;

	if (slot >= MAX_DEPTH)
		return -EIO;
	if (op == OP_READ) {
		reads++;
		if (res <= 0) {
			if (res < 0)
				note_error(res);
			else
				eof = 1;
			active--;
			return 0;
		}
		if (error) {
			active--;
			return 0;
		}
		slot_len[slot] = res;
		slot_done[slot] = 0;
		sqe = next_sqe(sqes);
		if (!sqe)
			return -EIO;
		iou_prep_write(sqe, out_fd, buffer(slot), res, slot_pos[slot], user_data(OP_WRITE, slot));
		return 0;
	}

	/* OP_WRITE */
	writes++;
	if (res <= 0) {
		note_error(res < 0 ? res : -EIO);
		active--;
		return 0;
	}
	bytes_copied += res;
	done = slot_done[slot] + res;
	len = slot_len[slot];
	slot_done[slot] = done;
	if (done < len) {
		/* A short write: write the rest. */
		short_writes++;
		if (error) {
			active--;
			return 0;
		}
		sqe = next_sqe(sqes);
		if (!sqe)
			return -EIO;
		iou_prep_write(sqe, out_fd, buffer(slot) + done, len - done, slot_pos[slot] + done,
			       user_data(OP_WRITE, slot));
		return 0;
	}
	slot_pos[slot] += len;
	if (slot_pos[slot] >= slot_end[slot])
		return start_range(sqes, slot);
	if (error) {
		active--;
		return 0;
	}
	/* The read was short: read the rest of the range. */
	sqe = next_sqe(sqes);
	if (!sqe)
		return -EIO;
	iou_prep_read(sqe, in_fd, buffer(slot), slot_end[slot] - slot_pos[slot], slot_pos[slot],
		      user_data(OP_READ, slot));
	return 0;
}

/* Handles up to MAX_REAP_PER_STEP CQEs: 0, or -errno when one is not ours or the SQ is full. */
static __always_inline int reap(struct iou_rings_header *rings, struct io_uring_sqe *sqes)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	__u32 i, op;
	int ret, res;

	for (i = 0; i < MAX_REAP_PER_STEP; i++) {
		if (!iou_reap_cqe(rings, cq_entries, &cqe))
			break;
		op = cqe.user_data >> 32;
		res = cqe.res;
		ret = 0;
		switch (op) {
		case OP_OPEN_IN:
			if (res < 0) {
				note_error(res);
				phase = PHASE_CLOSING; /* nothing is open */
				break;
			}
			in_fd = res;
			sqe = next_sqe(sqes);
			if (!sqe)
				return -EIO;
			iou_prep_openat(sqe, AT_FDCWD, out_path_addr, O_WRONLY | O_CREAT | O_TRUNC, 0644,
					user_data(OP_OPEN_OUT, 0));
			break;
		case OP_OPEN_OUT:
			if (res < 0) {
				note_error(res);
				close_all(sqes);
				break;
			}
			out_fd = res;
			phase = PHASE_FILLING; /* the next step starts the slots */
			break;
		case OP_READ:
		case OP_WRITE:
			ret = on_copy_cqe(sqes, op, (__u32)cqe.user_data, res);
			break;
		case OP_CLOSE_IN:
			in_fd = -1;
			if (res < 0)
				note_error(res);
			break;
		case OP_CLOSE_OUT:
			out_fd = -1;
			if (res < 0)
				note_error(res);
			break;
		default:
			ret = -EIO;
			break;
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

SEC("struct_ops.s/copy_deep_step")
URING_BPF_LOOP_STEP(copy_deep_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	__u32 slot;
	int ret = 0;

	sqes = (struct io_uring_sqe *)bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
							      IOU_SQ_REGION_SIZE(sq_entries));
	rings = (struct iou_rings_header *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
								   IOU_CQ_REGION_SIZE(cq_entries));
	if (!sqes || !rings) {
		error = -EINVAL;
		return IOU_LOOP_STOP;
	}

	queued = 0;
	if (phase == PHASE_START) {
		if (!in_path_addr || !out_path_addr || !bufs_addr || !buf_len || !depth ||
		    depth > MAX_DEPTH || depth + 2 > sq_entries || depth + 2 > cq_entries) {
			error = -EINVAL;
			return IOU_LOOP_STOP;
		}
		phase = PHASE_OPENING;
		iou_prep_openat(&sqes[0], AT_FDCWD, in_path_addr, O_RDONLY, 0, user_data(OP_OPEN_IN, 0));
		queued = 1;
	} else if (phase == PHASE_FILLING) {
		/* A step of its own, so that the verifier walks this loop once, not once per reaped CQE. */
		phase = PHASE_COPYING;
		for (slot = 0; slot < MAX_DEPTH && slot < depth && ret == 0; slot++) {
			active++;
			ret = start_range(sqes, slot);
		}
	} else {
		ret = reap(rings, sqes);
	}
	if (ret < 0) {
		/* Not a request of ours, or the SQ is full (depth + 2 <= sq_entries is checked): give up. */
		error = ret;
		return IOU_LOOP_STOP;
	}
	if (phase == PHASE_COPYING && !active)
		close_all(sqes);

	if (phase == PHASE_CLOSING && in_fd < 0 && out_fd < 0 && !queued)
		return IOU_LOOP_STOP;
	if (queued) {
		ret = bpf_io_uring_submit_sqes(ctx, queued);
		if (ret != (int)queued) {
			error = ret < 0 ? ret : -EIO;
			return IOU_LOOP_STOP;
		}
	}
	if (phase == PHASE_FILLING || rings->cq_tail != rings->cq_head)
		lp->cq_wait_idx = rings->cq_head;
	else
		lp->cq_wait_idx = rings->cq_head + 1;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops copy_deep_ops = {
	.loop_step = (void *)copy_deep_step,
};
