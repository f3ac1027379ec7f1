#include "CReference.h"
#include "ring.h"

#include <errno.h>
#include <string.h>

#define LN_SETUP_SINGLE_ISSUER (1u << 12)
#define LN_SETUP_DEFER_TASKRUN (1u << 13)
#define LN_ENTRIES 16u
#define LN_TOKEN 0x5e9000ULL

int64_t cref_linked_nops(uint32_t link, uint64_t nops, uint64_t *cqes_seen) {
    *cqes_seen = 0;
    if (link == 0 || link > LN_ENTRIES) return -EINVAL;

    struct cref_ring r;
    int err = cref_ring_open(&r, LN_ENTRIES, LN_SETUP_SINGLE_ISSUER | LN_SETUP_DEFER_TASKRUN);
    if (err) return err;

    uint32_t tail = *r.sq_tail;
    uint64_t seen = 0, bad = 0;
    int64_t start = cref_now_ns();
    for (uint64_t done = 0; done < nops;) {
        /* The last chain is shorter when nops is not a multiple of link. */
        uint32_t n = nops - done < link ? (uint32_t)(nops - done) : link;
        for (uint32_t i = 0; i < n; i++) {
            struct io_uring_sqe *sqe = &r.sqes[tail & r.sq_mask];
            memset(sqe, 0, sizeof *sqe);
            sqe->opcode = IORING_OP_NOP;
            sqe->flags = i + 1 < n ? IOSQE_IO_LINK : 0;
            sqe->user_data = LN_TOKEN;
            tail++;
        }
        __atomic_store_n(r.sq_tail, tail, __ATOMIC_RELEASE);
        long ret = cref_ring_enter(&r, n, n, IORING_ENTER_GETEVENTS);
        if (ret != (long)n) { bad++; break; }
        done += n;
        uint32_t ch = *r.cq_head;
        uint32_t ct = __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE);
        for (; ch != ct; ch++) {
            struct io_uring_cqe *cqe = &r.cqes[ch & r.cq_mask];
            if (cqe->res != 0 || cqe->user_data != LN_TOKEN) bad++;
            seen++;
        }
        __atomic_store_n(r.cq_head, ch, __ATOMIC_RELEASE);
    }
    int64_t elapsed = cref_now_ns() - start;
    cref_ring_close(&r);
    *cqes_seen = seen;
    return bad ? -EIO : elapsed;
}
