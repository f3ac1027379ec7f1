// A raw io_uring mapped for the reference loops (raw syscalls, no liburing): setup, the two mmaps, and the
// ring words the loops touch. Private to CReference.
#ifndef C_REFERENCE_RING_H
#define C_REFERENCE_RING_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/io_uring.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif

struct cref_ring {
    int fd;
    struct io_uring_params p;
    uint8_t *ring;
    size_t ring_size;
    struct io_uring_sqe *sqes;
    size_t sqes_size;
    uint32_t *sq_head, *sq_tail, sq_mask;
    uint32_t *cq_head, *cq_tail, cq_mask;
    struct io_uring_cqe *cqes;
};

/// Creates and maps a ring of `entries` SQEs with `flags`; fills the SQ index array (if the ring has one)
/// with the identity. Returns 0 or -errno.
int cref_ring_open(struct cref_ring *r, uint32_t entries, uint32_t flags);

/// Unmaps and closes the ring.
void cref_ring_close(struct cref_ring *r);

/// io_uring_enter(2); returns the result or -errno. Inline, so the measured loops make the syscall directly.
static inline long cref_ring_enter(struct cref_ring *r, uint32_t to_submit, uint32_t min_complete, uint32_t flags) {
    long ret = syscall(__NR_io_uring_enter, r->fd, to_submit, min_complete, flags, NULL, 0);
    return ret < 0 ? -errno : ret;
}

/// CLOCK_MONOTONIC in nanoseconds.
int64_t cref_now_ns(void);

#endif
