#define _GNU_SOURCE
#include "ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#define CREF_SETUP_NO_SQARRAY (1u << 16)

int cref_ring_open(struct cref_ring *r, uint32_t entries, uint32_t flags) {
    memset(r, 0, sizeof *r);
    r->p.flags = flags;
    r->fd = (int)syscall(__NR_io_uring_setup, entries, &r->p);
    if (r->fd < 0) return -errno;
    const struct io_uring_params *p = &r->p;

    // One mapping holds both rings (SINGLE_MMAP); without NO_SQARRAY the SQ index array may end last.
    size_t cq_end = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
    size_t sq_end = (flags & CREF_SETUP_NO_SQARRAY) ? 0 : p->sq_off.array + p->sq_entries * sizeof(uint32_t);
    r->ring_size = sq_end > cq_end ? sq_end : cq_end;
    r->ring = mmap(NULL, r->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
    if (r->ring == MAP_FAILED) { int e = errno; close(r->fd); return -e; }
    r->sqes_size = p->sq_entries * sizeof(struct io_uring_sqe);
    r->sqes = mmap(NULL, r->sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
    if (r->sqes == MAP_FAILED) { int e = errno; munmap(r->ring, r->ring_size); close(r->fd); return -e; }

    r->sq_head = (uint32_t *)(r->ring + p->sq_off.head);
    r->sq_tail = (uint32_t *)(r->ring + p->sq_off.tail);
    r->sq_mask = *(uint32_t *)(r->ring + p->sq_off.ring_mask);
    r->cq_head = (uint32_t *)(r->ring + p->cq_off.head);
    r->cq_tail = (uint32_t *)(r->ring + p->cq_off.tail);
    r->cq_mask = *(uint32_t *)(r->ring + p->cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *)(r->ring + p->cq_off.cqes);
    if (!(flags & CREF_SETUP_NO_SQARRAY)) {
        uint32_t *array = (uint32_t *)(r->ring + p->sq_off.array);
        for (uint32_t i = 0; i < p->sq_entries; i++) array[i] = i;
    }
    return 0;
}

void cref_ring_close(struct cref_ring *r) {
    munmap(r->sqes, r->sqes_size);
    munmap(r->ring, r->ring_size);
    close(r->fd);
}

int64_t cref_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
