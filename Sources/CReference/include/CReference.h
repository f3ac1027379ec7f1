// C reference loops that benchmarks compare the Swift code against.
#ifndef C_REFERENCE_H
#define C_REFERENCE_H

#include <stdint.h>

/// Runs `rounds` rounds of `batch` NOPs per io_uring_enter(GETEVENTS, min_complete = batch) on a fresh ring
/// of `entries` SQEs created with `setup_flags`, reaping every CQE. Raw syscalls, no liburing: the same work
/// the Swift `bench ring` loop does. Returns the elapsed CLOCK_MONOTONIC nanoseconds of the loop alone, or -errno.
int64_t cref_nop_loop(uint32_t entries, uint32_t setup_flags, uint32_t batch, uint64_t rounds);

#endif
