// C reference loops that benchmarks compare the Swift code against.
#ifndef C_REFERENCE_H
#define C_REFERENCE_H

#include <stdint.h>

/// Runs `rounds` rounds of `batch` NOPs per io_uring_enter(GETEVENTS, min_complete = batch) on a fresh ring
/// of `entries` SQEs created with `setup_flags`, reaping every CQE. Raw syscalls, no liburing: the same work
/// the Swift `bench ring` loop does. Returns the elapsed CLOCK_MONOTONIC nanoseconds of the loop alone, or -errno.
int64_t cref_nop_loop(uint32_t entries, uint32_t setup_flags, uint32_t batch, uint64_t rounds);

/// Runs `nops` NOPs as chains of `link` NOPs (IOSQE_IO_LINK on all but the last; `link` = 1 is one plain NOP) on
/// a fresh 16-entry ring with SINGLE_ISSUER|DEFER_TASKRUN: per chain one io_uring_enter(to_submit = link,
/// min_complete = link, GETEVENTS), then every CQE is reaped and checked (res 0, the NOP's user_data).
/// Raw syscalls, no liburing. Stores the number of CQEs reaped in `*cqes_seen` and returns the elapsed
/// CLOCK_MONOTONIC nanoseconds of the loop alone, or -errno (-EIO when a CQE was wrong, -EINVAL when `link`
/// is not 1...16). The last chain is shorter when `nops` is not a multiple of `link`.
int64_t cref_linked_nops(uint32_t link, uint64_t nops, uint64_t *cqes_seen);

/// What `cref_epoll_echo` did.
struct cref_echo_outcome {
    uint64_t bytes;     ///< bytes echoed
    uint64_t syscalls;  ///< every syscall made: epoll_wait, read, send, accept4, epoll_ctl, close
    uint32_t closed;    ///< connections closed
    uint32_t failed;    ///< of them, ended by an error
};

/// An epoll echo server on `listener` (a listening TCP socket): one thread, level-triggered epoll, blocking
/// connection sockets, one read of up to `buffer_size` bytes per readable connection, sends until it is all back.
/// Serves until `connections` connections have closed (closing any beyond them at once). Returns 0, or -errno
/// (-ETIMEDOUT after 10 s without an event).
int64_t cref_epoll_echo(int listener, uint32_t connections, uint32_t buffer_size, struct cref_echo_outcome *outcome);

#endif
