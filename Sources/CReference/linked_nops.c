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

/* Setup flags as numbers: the build machine's headers may predate them. */
#define LN_SETUP_SINGLE_ISSUER (1u << 12)
#define LN_SETUP_DEFER_TASKRUN (1u << 13)
#define LN_ENTRIES 16u
#define LN_TOKEN 0x5e9000ULL

static int64_t ln_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t cref_linked_nops(uint32_t link, uint64_t nops, uint64_t *cqes_seen) {
    *cqes_seen = 0;
    if (link == 0 || link > LN_ENTRIES) return -EINVAL;

    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = LN_SETUP_SINGLE_ISSUER | LN_SETUP_DEFER_TASKRUN;
    int fd = (int)syscall(__NR_io_uring_setup, LN_ENTRIES, &p);
    if (fd < 0) return -errno;

    size_t sq_sz = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
    size_t cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    size_t ring_sz = sq_sz > cq_sz ? sq_sz : cq_sz;
    uint8_t *ring = mmap(NULL, ring_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
    if (ring == MAP_FAILED) { int e = errno; close(fd); return -e; }
    size_t sqes_sz = p.sq_entries * sizeof(struct io_uring_sqe);
    struct io_uring_sqe *sqes = mmap(NULL, sqes_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                                     IORING_OFF_SQES);
    if (sqes == MAP_FAILED) { int e = errno; munmap(ring, ring_sz); close(fd); return -e; }

    uint32_t *sq_tail = (uint32_t *)(ring + p.sq_off.tail);
    uint32_t sq_mask = *(uint32_t *)(ring + p.sq_off.ring_mask);
    uint32_t *array = (uint32_t *)(ring + p.sq_off.array);
    for (uint32_t i = 0; i < p.sq_entries; i++) array[i] = i;
    uint32_t *cq_head = (uint32_t *)(ring + p.cq_off.head);
    uint32_t *cq_tail = (uint32_t *)(ring + p.cq_off.tail);
    uint32_t cq_mask = *(uint32_t *)(ring + p.cq_off.ring_mask);
    struct io_uring_cqe *cqes = (struct io_uring_cqe *)(ring + p.cq_off.cqes);

    uint32_t tail = *sq_tail;
    uint64_t seen = 0, bad = 0;
    int64_t start = ln_now_ns();
    for (uint64_t done = 0; done < nops;) {
        /* The last chain is shorter when nops is not a multiple of link. */
        uint32_t n = nops - done < link ? (uint32_t)(nops - done) : link;
        for (uint32_t i = 0; i < n; i++) {
            struct io_uring_sqe *sqe = &sqes[tail & sq_mask];
            memset(sqe, 0, sizeof *sqe);
            sqe->opcode = IORING_OP_NOP;
            sqe->flags = i + 1 < n ? IOSQE_IO_LINK : 0;
            sqe->user_data = LN_TOKEN;
            tail++;
        }
        __atomic_store_n(sq_tail, tail, __ATOMIC_RELEASE);
        long ret = syscall(__NR_io_uring_enter, fd, n, n, IORING_ENTER_GETEVENTS, NULL, 0);
        if (ret != (long)n) { bad++; break; }
        done += n;
        uint32_t ch = *cq_head;
        uint32_t ct = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
        for (; ch != ct; ch++) {
            struct io_uring_cqe *cqe = &cqes[ch & cq_mask];
            if (cqe->res != 0 || cqe->user_data != LN_TOKEN) bad++;
            seen++;
        }
        __atomic_store_n(cq_head, ch, __ATOMIC_RELEASE);
    }
    int64_t elapsed = ln_now_ns() - start;
    munmap(sqes, sqes_sz);
    munmap(ring, ring_sz);
    close(fd);
    *cqes_seen = seen;
    return bad ? -EIO : elapsed;
}
