/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * uring_bpf.h - everything a BPF-controlled io_uring loop program needs, in one
 * self-contained header (no libbpf or kernel headers).
 *
 * Build: clang -target bpf -O2 -g -mcpu=v4 -I Examples/include -c prog.bpf.c
 *
 * Types match the Linux 7.2 kernel BTF (io_uring_bpf_ops with the opaque, empty
 * struct iou_ctx). The io_uring uapi parts (SQE, CQE, opcodes) match
 * include/uapi/linux/io_uring.h.
 */
#ifndef URING_BPF_H
#define URING_BPF_H

/* ---- Basic types ------------------------------------------------------- */
typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef unsigned long size_t;

#ifndef NULL
#define NULL ((void *)0)
#endif

/* ---- Program annotations ---------------------------------------------- */
#define SEC(name) __attribute__((section(name), used))
#define __ksym __attribute__((section(".ksyms")))
#define __weak __attribute__((weak))
#define __always_inline inline __attribute__((always_inline))
#define __noinline __attribute__((noinline))
/* A hidden global is treated like a static one by loaders (not exported). */
#define __hidden __attribute__((visibility("hidden")))
/* True when a weak kfunc or ksym was found in the kernel at load time. */
#define bpf_ksym_exists(sym) ((void *)(sym) != NULL)

#define URING_BPF_MIN(a, b) ((a) < (b) ? (a) : (b))

/* ---- Loop types (kernel-internal, Linux 7.2 BTF) ------------------------ */

/* Opaque and EMPTY, exactly as in the kernel's BTF. A forward declaration
 * would put a FWD type into the kfunc prototypes, which libbpf refuses to
 * match against the kernel's. Programs never dereference it. */
struct iou_ctx {};

struct iou_loop_params {
	/* CQ index to sleep until (a hint; early wake-ups are normal). */
	__u32 cq_wait_idx;
};

enum {
	IOU_LOOP_CONTINUE = 0,
	IOU_LOOP_STOP = 1,
};

enum {
	IOU_REGION_MEM = 0, /* the param region (IORING_REGISTER_MEM_REGION) */
	IOU_REGION_CQ = 1,  /* rings header + CQEs */
	IOU_REGION_SQ = 2,  /* the SQE array */
};

struct io_uring_bpf_ops {
	int (*loop_step)(struct iou_ctx *ctx, struct iou_loop_params *lp);
	__u32 ring_fd; /* set by the loader before load */
	void *priv;    /* kernel-owned, must stay 0 */
};

/* ---- kfuncs ------------------------------------------------------------ */

/* Submit up to nr SQEs (with SQ_REWIND: SQEs 0..nr-1). Sleepable: only
 * callable from SEC("struct_ops.s/...") programs. Returns the number consumed
 * or a negative errno. */
extern int bpf_io_uring_submit_sqes(struct iou_ctx *ctx, __u32 nr) __ksym;

/* Kernel mapping of a region, or NULL. rdwr_buf_size must be a constant the
 * verifier knows (e.g. computed from const volatile rodata) and at most the
 * region's size. The result must be NULL-checked. */
extern __u8 *bpf_io_uring_get_region(struct iou_ctx *ctx, __u32 region_id,
				     const size_t rdwr_buf_size) __ksym;

/* ---- BPF helpers (bpf_base_func_proto: what loop_step may call) ---------
 * Opt-in: #define URING_BPF_HELPERS before including this header (programs
 * that declare their own helpers keep working). Declared as libbpf does: a
 * constant function pointer holding the helper's number, so clang emits
 * `call N`. */
#ifdef URING_BPF_HELPERS
static void *(*const bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*const bpf_map_update_elem)(void *map, const void *key, const void *value,
				   __u64 flags) = (void *)2;
static long (*const bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static __u64 (*const bpf_ktime_get_ns)(void) = (void *)5;
static long (*const bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *)6;
static __u32 (*const bpf_get_prandom_u32)(void) = (void *)7;
static __u32 (*const bpf_get_smp_processor_id)(void) = (void *)8;
/* Calls callback_fn(index, callback_ctx) for index 0..nr_loops-1 until it
 * returns 1; returns the number of iterations done. callback_fn must be a
 * static function: long cb(__u32 index, void *ctx). */
static long (*const bpf_loop)(__u32 nr_loops, void *callback_fn, void *callback_ctx,
			__u64 flags) = (void *)181;

/* bpf_map_update_elem flags */
#define BPF_ANY 0
#define BPF_NOEXIST 1
#define BPF_EXIST 2

/* bpf_printk("fmt", up to 3 args): the format is a static string in .rodata.
 * Output goes to the trace pipe (the userspace engine prints it). */
#define bpf_printk(fmt, ...)                                                       \
	({                                                                         \
		static const char ____fmt[] = fmt;                                 \
		bpf_trace_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__);         \
	})
#endif /* URING_BPF_HELPERS */

/* ---- BTF-defined maps (SEC(".maps")), libbpf conventions ----------------
 * struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, __u32);
 *          __type(value, __u64); __uint(max_entries, 8); } name SEC(".maps"); */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]

enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_STACK_TRACE = 7,
	BPF_MAP_TYPE_CGROUP_ARRAY = 8,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BPF_MAP_TYPE_LPM_TRIE = 11,
	BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPF_MAP_TYPE_HASH_OF_MAPS = 13,
	BPF_MAP_TYPE_QUEUE = 22,
	BPF_MAP_TYPE_STACK = 23,
	BPF_MAP_TYPE_RINGBUF = 27,
};

/* map_flags */
#define BPF_F_NO_PREALLOC (1U << 0)
#define BPF_F_RDONLY_PROG (1U << 7)
#define BPF_F_MMAPABLE (1U << 10)

/* ---- io_uring uapi: SQE, CQE, opcodes ---------------------------------- */

struct io_uring_sqe {
	__u8 opcode;
	__u8 flags;
	__u16 ioprio;
	__s32 fd;
	union {
		__u64 off;
		__u64 addr2;
	};
	union {
		__u64 addr;
		__u64 splice_off_in;
	};
	__u32 len;
	union {
		__u32 rw_flags;
		__u32 fsync_flags;
		__u32 open_flags;
		__u32 statx_flags;
		__u32 timeout_flags;
		__u32 msg_flags;
		__u32 nop_flags;
	};
	__u64 user_data;
	union {
		__u16 buf_index;
		__u16 buf_group;
	} __attribute__((packed));
	__u16 personality;
	union {
		__s32 splice_fd_in;
		__u32 file_index;
	};
	__u64 addr3;
	__u64 __pad2[1];
};

struct io_uring_cqe {
	__u64 user_data;
	__s32 res;
	__u32 flags;
};

_Static_assert(sizeof(struct io_uring_sqe) == 64, "SQE is 64 bytes");
_Static_assert(sizeof(struct io_uring_cqe) == 16, "CQE is 16 bytes");

enum {
	IORING_OP_NOP = 0,
	IORING_OP_READV = 1,
	IORING_OP_WRITEV = 2,
	IORING_OP_FSYNC = 3,
	IORING_OP_OPENAT = 18,
	IORING_OP_CLOSE = 19,
	IORING_OP_READ = 22,
	IORING_OP_WRITE = 23,
};

/* sqe->flags */
#define IOSQE_FIXED_FILE (1U << 0)
#define IOSQE_IO_DRAIN (1U << 1)
#define IOSQE_IO_LINK (1U << 2)
#define IOSQE_IO_HARDLINK (1U << 3)
#define IOSQE_ASYNC (1U << 4)
#define IOSQE_CQE_SKIP_SUCCESS (1U << 6)

#define AT_FDCWD (-100)
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000

/* errno values the examples report */
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define EFAULT 14
#define EEXIST 17
#define EINVAL 22
#define ERANGE 34

/* ---- The CQ region: io_rings header + CQEs (kernel layout) ---------------
 * Offsets inside IOU_REGION_CQ. CQE i lives at
 * IOU_RINGS_CQES + 16 * (i & (cq_entries - 1)). */
#define IOU_RINGS_SQ_HEAD 0
#define IOU_RINGS_SQ_TAIL 4
#define IOU_RINGS_CQ_HEAD 8
#define IOU_RINGS_CQ_TAIL 12
#define IOU_RINGS_SQ_RING_MASK 16
#define IOU_RINGS_CQ_RING_MASK 20
#define IOU_RINGS_SQ_RING_ENTRIES 24
#define IOU_RINGS_CQ_RING_ENTRIES 28
#define IOU_RINGS_SQ_DROPPED 32
#define IOU_RINGS_SQ_FLAGS 36
#define IOU_RINGS_CQ_FLAGS 40
#define IOU_RINGS_CQ_OVERFLOW 44
#define IOU_RINGS_CQES 64

struct iou_rings_header {
	__u32 sq_head;
	__u32 sq_tail;
	__u32 cq_head;
	__u32 cq_tail;
	__u32 sq_ring_mask;
	__u32 cq_ring_mask;
	__u32 sq_ring_entries;
	__u32 cq_ring_entries;
	__u32 sq_dropped;
	__u32 sq_flags;
	__u32 cq_flags;
	__u32 cq_overflow;
	__u32 __pad[4];
};
_Static_assert(sizeof(struct iou_rings_header) == IOU_RINGS_CQES, "CQEs start at 64");

/* Bytes of IOU_REGION_CQ to request for a CQ of cq_entries entries. */
#define IOU_CQ_REGION_SIZE(cq_entries) \
	(IOU_RINGS_CQES + (size_t)(cq_entries) * sizeof(struct io_uring_cqe))
/* Bytes of IOU_REGION_SQ to request for sq_entries SQEs. */
#define IOU_SQ_REGION_SIZE(sq_entries) ((size_t)(sq_entries) * sizeof(struct io_uring_sqe))

/* ---- Defining loop_step -------------------------------------------------
 * struct_ops programs receive one pointer to an array of 64-bit arguments.
 * URING_BPF_LOOP_STEP(name, ctx, lp) { ... } unpacks it into typed
 * parameters, like libbpf's BPF_PROG. Put it in SEC("struct_ops.s/name")
 * (sleepable) when it calls bpf_io_uring_submit_sqes(). */
#define URING_BPF_LOOP_STEP(name, ctx_arg, lp_arg)                                   \
	int name(unsigned long long *__args);                                        \
	static __always_inline int ____##name(struct iou_ctx *ctx_arg,                   \
					      struct iou_loop_params *lp_arg);           \
	int name(unsigned long long *__args)                                         \
	{                                                                            \
		return ____##name((struct iou_ctx *)__args[0],                           \
				  (struct iou_loop_params *)__args[1]);                  \
	}                                                                            \
	static __always_inline int ____##name(struct iou_ctx *ctx_arg,                   \
					      struct iou_loop_params *lp_arg)

/* ---- Helpers ------------------------------------------------------------ */

/* Number of CQEs posted but not yet consumed. */
static __always_inline __u32 iou_cq_ready(const struct iou_rings_header *rings)
{
	return rings->cq_tail - rings->cq_head;
}

/* Copy the next unconsumed CQE into *out and consume it (cq.head++).
 * Returns 1 if a CQE was reaped, 0 if the CQ is empty. */
static __always_inline int iou_reap_cqe(struct iou_rings_header *rings, __u32 cq_entries,
					struct io_uring_cqe *out)
{
	__u32 head = rings->cq_head;
	struct io_uring_cqe *cqes = (struct io_uring_cqe *)((__u8 *)rings + IOU_RINGS_CQES);

	if (head == rings->cq_tail)
		return 0;
	*out = cqes[head & (cq_entries - 1)];
	rings->cq_head = head + 1;
	return 1;
}

static __always_inline void iou_prep_rw(struct io_uring_sqe *sqe, __u8 op, int fd, __u64 addr,
					__u32 len, __u64 off, __u64 user_data)
{
	*sqe = (struct io_uring_sqe){};
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = addr;
	sqe->len = len;
	sqe->off = off;
	sqe->user_data = user_data;
}

static __always_inline void iou_prep_nop(struct io_uring_sqe *sqe, __u64 user_data)
{
	*sqe = (struct io_uring_sqe){};
	sqe->opcode = IORING_OP_NOP;
	sqe->user_data = user_data;
}

/* read(fd, buf, len) at file offset off; buf is a user-space address. */
static __always_inline void iou_prep_read(struct io_uring_sqe *sqe, int fd, __u64 buf, __u32 len,
					  __u64 off, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_READ, fd, buf, len, off, user_data);
}

static __always_inline void iou_prep_write(struct io_uring_sqe *sqe, int fd, __u64 buf, __u32 len,
					   __u64 off, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_WRITE, fd, buf, len, off, user_data);
}

/* openat(dfd, path, flags, mode); path is a user-space address. */
static __always_inline void iou_prep_openat(struct io_uring_sqe *sqe, int dfd, __u64 path,
					    __u32 flags, __u32 mode, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_OPENAT, dfd, path, mode, 0, user_data);
	sqe->open_flags = flags;
}

static __always_inline void iou_prep_close(struct io_uring_sqe *sqe, int fd, __u64 user_data)
{
	iou_prep_rw(sqe, IORING_OP_CLOSE, fd, 0, 0, 0, user_data);
}

#endif /* URING_BPF_H */
