/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * echo: a TCP echo server. A multishot accept on listen_fd gives each new
 * connection a slot (up to MAX_CONNS at once) with its own buffer in MEM; per
 * connection: recv into the buffer, send back what came (again from where a
 * partial send stopped), recv again, until the peer closes (recv returns 0)
 * or the connection fails (a reset, or any other error: counted), then close.
 * It ends by itself once max_conns connections have closed, or when stop is
 * set (between runs): it cancels every request in flight (the accept and the
 * connections' recvs), closes each connection as its CQE comes back, and
 * returns STOP only when every connection is closed and no request is in
 * flight, so it leaves no fd open behind it.
 *
 * Globals (the runner prints them):
 *   .data  listen_fd  a listening socket (set it)
 *          buf_addr   user-space address of MAX_CONNS * buf_size bytes (set it)
 *          buf_size   bytes per connection (default 2048)
 *          max_conns  stop after this many connections have closed (0: never)
 *   .bss   stop       set it between runs to end the server gracefully
 *          accepted, closed, active, refused (accepted while full or
 *          stopping: closed at once), messages (recvs with data), bytes,
 *          partial_sends, resets (connections ended by ECONNRESET or EPIPE),
 *          conn_errors (ended by another error), last_conn_error, inflight,
 *          error (0 or the -errno that stopped the server), conns[] (each
 *          slot's fd and state: the fd is open while the state is 1, recv,
 *          or 2, send)
 * Runner usage: `uring-bpf serve-echo --port P` makes the listening socket
 *   (and `uring-bpf bench echo` drives it); alone, `run` can only load it, verify it and stop:
 *   uring-bpf run echo --set stop=1
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_CONNS 256
/* CQEs handled per step (each writes one SQE) and SQEs per step: constant caps keep the verifier's work
 * bounded; what is left waits for the next step. */
#define MAX_REAP_PER_STEP 16
#define MAX_SQES_PER_STEP 64

enum { OP_ACCEPT = 1, OP_RECV, OP_SEND, OP_CLOSE, OP_REFUSE, OP_CANCEL };
enum { CONN_FREE = 0, CONN_RECV, CONN_SEND, CONN_CLOSING };

#define IORING_OP_ACCEPT 13
#define IORING_OP_ASYNC_CANCEL 14
#define IORING_OP_SEND 26
#define IORING_OP_RECV 27
#define IORING_ACCEPT_MULTISHOT (1U << 0)
#define IORING_CQE_F_MORE (1U << 1)
#define MSG_NOSIGNAL 0x4000
#define IORING_ASYNC_CANCEL_ALL (1U << 0)
#define IORING_ASYNC_CANCEL_ANY (1U << 2)
#define EPIPE 32
#define ECONNRESET 104
#define ECANCELED 125

const volatile __u32 sq_entries = 64;
const volatile __u32 cq_entries = 1024;

__s32 listen_fd = -1;
__u64 buf_addr = 0;
__u32 buf_size = 2048;
__u32 max_conns = 0;

__u32 stop;
__u32 accepted;
__u32 closed;
__u32 active;
__u32 refused;
__u64 messages;
__u64 bytes;
__u32 partial_sends;
__u32 resets;
__u32 conn_errors;
__s32 last_conn_error;
__u32 inflight;
__s32 error;

struct conn {
	__s32 fd;
	__u32 state;
	__u32 len;  /* bytes received, to send back */
	__u32 sent; /* of them, bytes sent so far */
};
struct conn conns[MAX_CONNS];

/* Internal: the free slots (a stack), whether the accept is armed, which cancel was sent (1: the accept's, 2: all). */
__u16 free_slots[MAX_CONNS];
__u32 nr_free;
__u32 started;
__u32 accept_armed;
__u32 cancel_sent;

static __always_inline __u64 token(__u32 op, __u32 slot)
{
	return ((__u64)op << 32) | slot;
}

/* Whether the server is stopping: told to, or failed. */
static __always_inline int stopping(void)
{
	return stop || error;
}

/* Whether the server is ending: stopping, or it has accepted max_conns connections. */
static __always_inline int ending(void)
{
	return stopping() || (max_conns && accepted >= max_conns);
}

static __always_inline void prep_accept(struct io_uring_sqe *sqe)
{
	iou_prep_rw(sqe, IORING_OP_ACCEPT, listen_fd, 0, 0, 0, token(OP_ACCEPT, 0));
	sqe->ioprio = IORING_ACCEPT_MULTISHOT;
	accept_armed = 1;
	inflight++;
}

static __always_inline void prep_recv(struct io_uring_sqe *sqe, struct conn *c, __u32 slot)
{
	iou_prep_rw(sqe, IORING_OP_RECV, c->fd, buf_addr + (__u64)slot * buf_size, buf_size, 0,
		    token(OP_RECV, slot));
	c->state = CONN_RECV;
	inflight++;
}

/* Sends what is left of the received bytes. */
static __always_inline void prep_send(struct io_uring_sqe *sqe, struct conn *c, __u32 slot)
{
	iou_prep_rw(sqe, IORING_OP_SEND, c->fd, buf_addr + (__u64)slot * buf_size + c->sent,
		    c->len - c->sent, 0, token(OP_SEND, slot));
	sqe->msg_flags = MSG_NOSIGNAL;
	c->state = CONN_SEND;
	inflight++;
}

static __always_inline void prep_close(struct io_uring_sqe *sqe, struct conn *c, __u32 slot)
{
	iou_prep_close(sqe, c->fd, token(OP_CLOSE, slot));
	c->state = CONN_CLOSING;
	inflight++;
}

/* A connection that failed: counted, then closed. */
static __always_inline void fail_conn(struct io_uring_sqe *sqe, struct conn *c, __u32 slot, int res)
{
	if (res == -ECANCELED && stopping()) {
		prep_close(sqe, c, slot); /* the stop cancelled it */
		return;
	}
	if (res == -ECONNRESET || res == -EPIPE)
		resets++;
	else
		conn_errors++;
	last_conn_error = res;
	prep_close(sqe, c, slot);
}

/* A NOP that posts no CQE: the SQE of a CQE that needs no request. */
static __always_inline void prep_nothing(struct io_uring_sqe *sqe)
{
	iou_prep_nop(sqe, 0);
	sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
}

/* Handles one CQE and writes exactly one SQE for it (prep_nothing when it needs none): the SQE count then
 * follows the loop counter, which keeps the verifier's states few. */
static __always_inline void handle(struct io_uring_sqe *sqe, struct io_uring_cqe *cqe)
{
	__u32 op = cqe->user_data >> 32, slot = cqe->user_data & 0xffffffff, top;
	struct conn *c;

	if (op == OP_ACCEPT) {
		if (!(cqe->flags & IORING_CQE_F_MORE)) {
			accept_armed = 0; /* re-armed at the next step unless the server is ending */
			inflight--;
		}
		if (cqe->res < 0) {
			if (cqe->res != -ECANCELED && !error)
				error = cqe->res;
			prep_nothing(sqe);
			return;
		}
		top = nr_free - 1; /* the free slot on top of the stack; wraps when there is none */
		if (ending() || top >= MAX_CONNS) {
			/* Full, or ending: close it at once. */
			iou_prep_close(sqe, cqe->res, token(OP_REFUSE, 0));
			refused++;
			inflight++;
			return;
		}
		nr_free = top;
		slot = free_slots[top] & (MAX_CONNS - 1);
		c = &conns[slot];
		c->fd = cqe->res;
		c->len = c->sent = 0;
		accepted++;
		active++;
		prep_recv(sqe, c, slot);
		return;
	}
	if (op == OP_CANCEL || op == OP_REFUSE) {
		inflight--;
		prep_nothing(sqe);
		return;
	}
	inflight--;
	if (slot >= MAX_CONNS) {
		error = -EIO;
		prep_nothing(sqe);
		return;
	}
	c = &conns[slot];
	switch (op) {
	case OP_RECV:
		if (cqe->res > 0 && !stopping()) {
			messages++;
			bytes += cqe->res;
			c->len = cqe->res;
			c->sent = 0;
			prep_send(sqe, c, slot);
		} else if (cqe->res >= 0) {
			prep_close(sqe, c, slot);
		} else {
			fail_conn(sqe, c, slot, cqe->res);
		}
		return;
	case OP_SEND:
		if (cqe->res < 0) {
			fail_conn(sqe, c, slot, cqe->res);
		} else if (stopping()) {
			prep_close(sqe, c, slot);
		} else if (c->sent + cqe->res < c->len) {
			c->sent += cqe->res;
			partial_sends++;
			prep_send(sqe, c, slot);
		} else {
			prep_recv(sqe, c, slot);
		}
		return;
	case OP_CLOSE:
		if (cqe->res < 0 && !error)
			error = cqe->res;
		c->fd = -1;
		c->state = CONN_FREE;
		if (nr_free < MAX_CONNS) {
			free_slots[nr_free] = slot;
			nr_free++;
		}
		closed++;
		active--;
		prep_nothing(sqe);
		return;
	default:
		error = -EIO;
		prep_nothing(sqe);
	}
}

/* The server is ending: cancels the accept (max_conns reached) or, told to stop or failed, every request in
 * flight (IORING_ASYNC_CANCEL_ANY | ALL): each connection then closes on its next CQE. One SQE. */
static __always_inline void cancel(struct io_uring_sqe *sqe)
{
	iou_prep_rw(sqe, IORING_OP_ASYNC_CANCEL, -1, token(OP_ACCEPT, 0), 0, 0, token(OP_CANCEL, 0));
	if (stopping())
		sqe->rw_flags = IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_ANY;
	cancel_sent = 1 + stopping();
	inflight++;
}

SEC("struct_ops.s/echo_step")
URING_BPF_LOOP_STEP(echo_step, ctx, lp)
{
	struct io_uring_sqe *sqes;
	struct iou_rings_header *rings;
	struct io_uring_cqe *cqes;
	__u32 cap, n = 0, i, head;
	int ret;

	sqes = (struct io_uring_sqe *)bpf_io_uring_get_region(ctx, IOU_REGION_SQ,
							      IOU_SQ_REGION_SIZE(sq_entries));
	rings = (struct iou_rings_header *)bpf_io_uring_get_region(ctx, IOU_REGION_CQ,
								   IOU_CQ_REGION_SIZE(cq_entries));
	if (!sqes || !rings) {
		error = -EINVAL;
		return IOU_LOOP_STOP;
	}
	cqes = (struct io_uring_cqe *)((__u8 *)rings + IOU_RINGS_CQES);
	cap = URING_BPF_MIN(sq_entries, MAX_SQES_PER_STEP);
	if (cap < 2) {
		error = -EINVAL;  /* the ring is too small for a step's SQEs */
		return IOU_LOOP_STOP;
	}

	if (!started) {
		if (stop)
			return IOU_LOOP_STOP;
		if (listen_fd < 0 || !buf_addr || !buf_size) {
			error = -EINVAL;
			return IOU_LOOP_STOP;
		}
		for (i = 0; i < MAX_CONNS; i++)
			free_slots[i] = MAX_CONNS - 1 - i;
		nr_free = MAX_CONNS;
		started = 1;
		prep_accept(&sqes[0]);
		n = 1;
	} else if ((ending() && !cancel_sent) || (stopping() && cancel_sent < 2)) {
		cancel(&sqes[0]);
		n = 1;
	} else {
		if (!accept_armed && !ending()) {
			prep_accept(&sqes[0]); /* the multishot accept ended (e.g. a full CQ): again */
			n = 1;
		}
		for (i = 0; i < MAX_REAP_PER_STEP && n < cap; i++) {
			/* Handled in place, not copied to the stack: a stack copy would carry each path's view of the
			 * last CQE into the next iteration and multiply the states the verifier has to explore. */
			head = rings->cq_head;
			if (head == rings->cq_tail)
				break;
			handle(&sqes[n], &cqes[head & (cq_entries - 1)]);
			rings->cq_head = head + 1;
			n++;
		}
	}

	if (n) {
		ret = bpf_io_uring_submit_sqes(ctx, n);
		if (ret != (int)n) {
			/* What was not submitted never completes: stop here (the host closes conns[] fds left open). */
			error = ret < 0 ? ret : -EIO;
			return IOU_LOOP_STOP;
		}
	}
	if (!accept_armed && inflight == 0 && ending())
		return IOU_LOOP_STOP;
	/* Sleep until the next CQE, or not at all if CQEs wait. */
	if (rings->cq_tail != rings->cq_head)
		lp->cq_wait_idx = rings->cq_head;
	else
		lp->cq_wait_idx = rings->cq_head + 1;
	return IOU_LOOP_CONTINUE;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops echo_ops = {
	.loop_step = (void *)echo_step,
};
