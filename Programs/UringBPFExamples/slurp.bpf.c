/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * slurp: read many small files, up to `depth` at a time. Each file is
 * openat → read (into its slot's buffer, again while a read fills the buffer)
 * → close, every request issued by the step that reaped the previous one's
 * CQE, the fd taken from the open's CQE. Counts the bytes and sums the
 * content: checksum is the sum (mod 2^64) of every file's little-endian
 * 64-bit words, a trailing partial word zero-padded (buffers hold multiples of
 * 8 bytes, so every read but a file's last starts on a word). A failed open
 * or read is counted and the program goes on with the next file; a file that
 * was opened is always closed.
 *
 * Paths are NUL-terminated, path_stride bytes apart, from paths_addr; slot k's
 * buffer is MEM[bufs_off + k * buf_len ...]. SQEs wait in the SQ (SQ_REWIND:
 * indices 0..queued-1) until the CQ is empty, so one submit carries a batch.
 *
 * Globals (the runner prints them):
 *   .rodata mem_size   bytes of MEM (filled by the runner from the region)
 *           depth      files in flight, 1..128 and at most sq_entries (default 32)
 *           buf_len    bytes per slot buffer, a multiple of 8 (default 8192)
 *           bufs_off   MEM offset of slot 0's buffer (default 0)
 *   .data   nr_files, path_stride (default 64)
 *   .bss    mem_addr   user-space address of MEM (set it to @mem)
 *           paths_addr user-space address of the first path (set it)
 *           files_done, bytes, checksum, reads, open_errors, read_errors,
 *           errors (failed opens + reads + closes), error (first -errno, or a
 *           fatal one: bad settings, a failed submit)
 * Below: two files; 32 buffers of 8 KiB from MEM+0, the paths 128 bytes apart
 * from MEM+262144.
 * Runner usage:
 *   printf 'first file\n' > a; printf 'second file\n' > b
 *   for f in a b; do printf '%s' "$PWD/$f" | dd bs=128 conv=sync status=none; done > paths.bin
 *   uring-bpf run slurp --sq-entries 32 --cq-entries 64 --mem-size 327680 \
 *       --mem-file 262144:paths.bin --set mem_addr=@mem --set paths_addr=@mem+262144 \
 *       --set path_stride=128 --set nr_files=2
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_DEPTH 128
/* Constant per-step caps keep the verifier's work bounded; what is left waits for the next step. */
#define MAX_REAP_PER_STEP 32
/* Sum at most this many words per read (a 64 KiB buffer; buf_len bounds it further). */
#define MAX_WORDS 8192

enum { OP_OPEN = 1, OP_READ = 2, OP_CLOSE = 3 };

const volatile __u32 sq_entries = 32;
const volatile __u32 cq_entries = 64;
const volatile __u32 mem_size = 327680;
const volatile __u32 depth = 32;
const volatile __u32 buf_len = 8192;
const volatile __u32 bufs_off = 0;

__u32 nr_files = 0;
__u32 path_stride = 64;

__u64 mem_addr;
__u64 paths_addr;
__u32 files_done;
__u64 bytes;
__u64 checksum;
__u32 reads;
__u32 open_errors;
__u32 read_errors;
__u32 errors;
__s32 error;

/* Loop bookkeeping. */
__u32 started;
__u32 next_file;
__u32 active;  /* slots with a file in progress */
__u32 queued;  /* SQEs written but not yet submitted */
__u32 sum_slot; /* a read's bytes to sum, in this slot's buffer (set by reap) */
__u32 sum_len;
__s32 slot_fd[MAX_DEPTH];
__u64 slot_pos[MAX_DEPTH];

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

/* The next free SQE (SQ_REWIND: SQEs 0..queued-1 wait for the batch), or NULL when the SQ is full. */
static __always_inline struct io_uring_sqe *next_sqe(struct io_uring_sqe *sqes)
{
	__u32 n = queued;

	if (n >= sq_entries || n >= MAX_DEPTH)
		return NULL;
	queued = n + 1;
	return &sqes[n];
}

/* Starts the next file in `slot`, or retires the slot when none is left. */
static __always_inline int open_next(struct io_uring_sqe *sqes, __u32 slot)
{
	struct io_uring_sqe *sqe;
	__u32 file = next_file;

	if (file >= nr_files) {
		active--;
		return 0;
	}
	sqe = next_sqe(sqes);
	if (!sqe)
		return -EIO;
	next_file = file + 1;
	iou_prep_openat(sqe, AT_FDCWD, paths_addr + (__u64)file * path_stride, O_RDONLY, 0,
			user_data(OP_OPEN, slot));
	return 0;
}

static __always_inline int read_next(struct io_uring_sqe *sqes, __u32 slot, int fd, __u64 pos)
{
	struct io_uring_sqe *sqe = next_sqe(sqes);

	if (!sqe)
		return -EIO;
	iou_prep_read(sqe, fd, mem_addr + bufs_off + (__u64)slot * buf_len, buf_len, pos,
		      user_data(OP_READ, slot));
	return 0;
}

static __always_inline int close_fd(struct io_uring_sqe *sqes, __u32 slot, int fd)
{
	struct io_uring_sqe *sqe = next_sqe(sqes);

	if (!sqe)
		return -EIO;
	iou_prep_close(sqe, fd, user_data(OP_CLOSE, slot));
	return 0;
}

/* The sum of the words of the `len` bytes at `words` (a trailing partial word zero-padded). */
static __always_inline __u64 sum_words(const __u64 *words, __u32 len)
{
	__u32 n = len / 8, tail = len % 8, max = buf_len / 8; /* buf_len is read once */
	__u64 i, blocks, sum = 0, sum2 = 0;
	const __u64 *w = words;

	if (max > MAX_WORDS)
		max = MAX_WORDS;
	if (n > max)
		n = max;
	/* Eight words per iteration into two sums: an eighth of the loop's overhead (and of the verifier's
	 * iterations). A 64-bit index that the pointer steps alongside is a loop the JIT checks once, at its entry. */
	blocks = n / 8;
	for (i = 0; i < blocks; i++, w += 8) {
		sum += w[0] + w[1] + w[2] + w[3];
		sum2 += w[4] + w[5] + w[6] + w[7];
	}
	sum += sum2;
	/* The last n % 8 words, and the partial one after them: w is at word blocks * 8. */
	for (i = 0; i < (n & 7); i++)
		sum += w[i];
	if (tail && n < max)
		sum += w[n & 7] & ((1ULL << (tail * 8)) - 1);
	return sum;
}

/* Handles up to MAX_REAP_PER_STEP CQEs; stops after a read whose bytes need summing (sum_slot, sum_len). 0 or a
 * fatal -errno. A function of its own (not inlined), so that its many paths end in one state for the caller: the
 * verifier then walks the summing loop after it once, not once per path. */
static __noinline int reap(struct iou_rings_header *rings, struct io_uring_sqe *sqes)
{
	struct io_uring_cqe cqe;
	__u32 i, slot;
	int ret, res;

	for (i = 0; i < MAX_REAP_PER_STEP; i++) {
		if (!iou_reap_cqe(rings, cq_entries, &cqe))
			break;
		slot = (__u32)cqe.user_data;
		res = cqe.res;
		if (slot >= depth || slot >= MAX_DEPTH) {
			note_error(-EIO); /* not a request of ours */
			continue;
		}
		switch (cqe.user_data >> 32) {
		case OP_OPEN:
			if (res < 0) {
				open_errors++;
				note_error(res);
				ret = open_next(sqes, slot);
				break;
			}
			slot_fd[slot] = res;
			slot_pos[slot] = 0;
			ret = read_next(sqes, slot, res, 0);
			break;
		case OP_READ:
			reads++;
			if (res < 0) {
				read_errors++;
				note_error(res);
				ret = close_fd(sqes, slot, slot_fd[slot]);
				break;
			}
			bytes += res;
			slot_pos[slot] += res;
			/* A full buffer may not be the end of the file: read on. */
			if ((__u32)res == buf_len)
				ret = read_next(sqes, slot, slot_fd[slot], slot_pos[slot]);
			else
				ret = close_fd(sqes, slot, slot_fd[slot]);
			if (ret == 0 && res > 0) {
				/* The caller sums it before it submits the slot's next read. */
				sum_slot = slot;
				sum_len = res;
				return 0;
			}
			break;
		case OP_CLOSE:
			if (res < 0)
				note_error(res);
			else
				files_done++;
			slot_fd[slot] = -1;
			ret = open_next(sqes, slot);
			break;
		default:
			note_error(-EIO);
			ret = 0;
			break;
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

SEC("struct_ops.s/slurp_step")
URING_BPF_LOOP_STEP(slurp_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	__u8 *mem;
	__u32 i, slot, len;
	int ret;

	sqes = (struct io_uring_sqe *)bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
							      IOU_SQ_REGION_SIZE(sq_entries));
	rings = (struct iou_rings_header *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
								   IOU_CQ_REGION_SIZE(cq_entries));
	mem = bpf_io_uring_get_region(ctx, IOU_REGION_MEM, mem_size);
	if (!sqes || !rings || !mem) {
		error = -EINVAL;
		return IOU_LOOP_STOP;
	}

	if (!started) {
		/* Settings the verifier cannot check for us: each slot's buffer inside MEM, depth within the rings. */
		if (depth == 0 || depth > MAX_DEPTH || depth > sq_entries || depth > cq_entries ||
		    buf_len == 0 || buf_len % 8 || (__u64)bufs_off + (__u64)depth * buf_len > mem_size ||
		    !mem_addr || !paths_addr || !path_stride) {
			error = -EINVAL;
			return IOU_LOOP_STOP;
		}
		started = 1;
		for (i = 0; i < MAX_DEPTH && i < depth; i++) {
			active++;
			if (open_next(sqes, i) < 0) {
				error = -EIO;
				return IOU_LOOP_STOP;
			}
		}
	} else {
		ret = reap(rings, sqes);
		if (ret < 0) {
			/* The SQ is full: cannot happen with depth <= sq_entries (checked), so stop. */
			error = ret;
			return IOU_LOOP_STOP;
		}
	}
	if (sum_len) {
		slot = sum_slot;
		len = sum_len;
		sum_len = 0;
		if (slot < depth && slot < MAX_DEPTH && len <= buf_len)
			checksum += sum_words((const __u64 *)(mem + bufs_off + (__u64)slot * buf_len), len);
	}

	/* Submit the batch once the CQ is drained (a summed buffer's next read may be in it). */
	if (queued && rings->cq_tail == rings->cq_head) {
		ret = bpf_io_uring_submit_sqes(ctx, queued);
		if (ret != (int)queued) {
			/* What was submitted still completes, but nothing can tell which: stop where we are. */
			error = ret < 0 ? ret : -EIO;
			return IOU_LOOP_STOP;
		}
		queued = 0;
	}
	if (!active && !queued)
		return IOU_LOOP_STOP;
	/* Sleep only when there is nothing to do but wait. */
	if (queued || rings->cq_tail != rings->cq_head)
		lp->cq_wait_idx = rings->cq_head;
	else
		lp->cq_wait_idx = rings->cq_head + 1;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops slurp_ops = {
	.loop_step = (void *)slurp_step,
};
