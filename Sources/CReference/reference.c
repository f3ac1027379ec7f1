#define _GNU_SOURCE
#include "CReference.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t cref_nop_loop(uint32_t entries, uint32_t setup_flags, uint32_t batch, uint64_t rounds) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = setup_flags;
    int fd = (int)syscall(__NR_io_uring_setup, entries, &p);
    if (fd < 0) return -errno;
    if (batch == 0 || batch > p.sq_entries) { close(fd); return -EINVAL; }

    size_t ring_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    size_t sq_sz = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
    if ((setup_flags & (1u << 16)) == 0 && sq_sz > ring_sz) ring_sz = sq_sz;
    uint8_t *ring = mmap(NULL, ring_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
    if (ring == MAP_FAILED) { int e = errno; close(fd); return -e; }
    size_t sqes_sz = p.sq_entries * sizeof(struct io_uring_sqe);
    struct io_uring_sqe *sqes = mmap(NULL, sqes_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                                     IORING_OFF_SQES);
    if (sqes == MAP_FAILED) { int e = errno; munmap(ring, ring_sz); close(fd); return -e; }

    uint32_t *sq_head = (uint32_t *)(ring + p.sq_off.head);
    uint32_t *sq_tail = (uint32_t *)(ring + p.sq_off.tail);
    uint32_t sq_mask = *(uint32_t *)(ring + p.sq_off.ring_mask);
    uint32_t *cq_head = (uint32_t *)(ring + p.cq_off.head);
    uint32_t *cq_tail = (uint32_t *)(ring + p.cq_off.tail);
    uint32_t cq_mask = *(uint32_t *)(ring + p.cq_off.ring_mask);
    struct io_uring_cqe *cqes = (struct io_uring_cqe *)(ring + p.cq_off.cqes);
    if ((setup_flags & (1u << 16)) == 0) {
        uint32_t *array = (uint32_t *)(ring + p.sq_off.array);
        for (uint32_t i = 0; i < p.sq_entries; i++) array[i] = i;
    }

    uint32_t tail = *sq_tail;
    uint64_t user_data = 0, bad = 0;
    int64_t start = now_ns();
    for (uint64_t r = 0; r < rounds; r++) {
        uint32_t head = __atomic_load_n(sq_head, __ATOMIC_ACQUIRE);
        if (tail - head + batch > p.sq_entries) { bad++; break; }
        for (uint32_t i = 0; i < batch; i++) {
            struct io_uring_sqe *sqe = &sqes[tail & sq_mask];
            memset(sqe, 0, sizeof *sqe);
            sqe->opcode = IORING_OP_NOP;
            sqe->user_data = user_data++;
            tail++;
        }
        __atomic_store_n(sq_tail, tail, __ATOMIC_RELEASE);
        long ret = syscall(__NR_io_uring_enter, fd, batch, batch, IORING_ENTER_GETEVENTS, NULL, 0);
        if (ret < 0) { bad++; break; }
        uint32_t ch = *cq_head;
        uint32_t ct = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
        for (; ch != ct; ch++) {
            if (cqes[ch & cq_mask].res != 0) bad++;
        }
        __atomic_store_n(cq_head, ch, __ATOMIC_RELEASE);
    }
    int64_t elapsed = now_ns() - start;
    munmap(sqes, sqes_sz);
    munmap(ring, ring_sz);
    close(fd);
    return bad ? -EIO : elapsed;
}
