#include "CReference.h"
#include "ring.h"

#include <errno.h>
#include <string.h>

int64_t cref_nop_loop(uint32_t entries, uint32_t setup_flags, uint32_t batch, uint64_t rounds) {
    struct cref_ring r;
    int err = cref_ring_open(&r, entries, setup_flags);
    if (err) return err;
    if (batch == 0 || batch > r.p.sq_entries) { cref_ring_close(&r); return -EINVAL; }

    uint32_t tail = *r.sq_tail;
    uint64_t user_data = 0, bad = 0;
    int64_t start = cref_now_ns();
    for (uint64_t round = 0; round < rounds; round++) {
        uint32_t head = __atomic_load_n(r.sq_head, __ATOMIC_ACQUIRE);
        if (tail - head + batch > r.p.sq_entries) { bad++; break; }
        for (uint32_t i = 0; i < batch; i++) {
            struct io_uring_sqe *sqe = &r.sqes[tail & r.sq_mask];
            memset(sqe, 0, sizeof *sqe);
            sqe->opcode = IORING_OP_NOP;
            sqe->user_data = user_data++;
            tail++;
        }
        __atomic_store_n(r.sq_tail, tail, __ATOMIC_RELEASE);
        if (cref_ring_enter(&r, batch, batch, IORING_ENTER_GETEVENTS) < 0) { bad++; break; }
        uint32_t ch = *r.cq_head;
        uint32_t ct = __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE);
        for (; ch != ct; ch++) {
            if (r.cqes[ch & r.cq_mask].res != 0) bad++;
        }
        __atomic_store_n(r.cq_head, ch, __ATOMIC_RELEASE);
    }
    int64_t elapsed = cref_now_ns() - start;
    cref_ring_close(&r);
    return bad ? -EIO : elapsed;
}
