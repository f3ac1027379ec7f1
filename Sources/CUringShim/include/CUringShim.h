// The C that Swift cannot do itself: variadic syscall(2) and the
// acquire/release accesses the io_uring ring indices need. Nothing else.
#ifndef C_URING_SHIM_H
#define C_URING_SHIM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif

/// io_uring_setup(2). Returns the ring fd, or -errno.
int cus_io_uring_setup(uint32_t entries, void *params);

/// io_uring_enter(2) with an extended argument. Returns the result, or -errno.
///
/// The `syscall` instruction is inlined into the caller on x86-64: after a system call every return to a frame
/// entered before it costs a mispredicted branch (the kernel's return-stack mitigations; about 6 ns each on this
/// project's machines), so a call to libc's syscall() would cost one more on every enter.
static inline int cus_io_uring_enter(int fd, uint32_t to_submit, uint32_t min_complete,
                                     uint32_t flags, const void *arg, size_t argsz) {
#if defined(__x86_64__)
    long r;
    register long r10 __asm__("r10") = (long)flags;
    register long r8 __asm__("r8") = (long)arg;
    register long r9 __asm__("r9") = (long)argsz;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"((long)__NR_io_uring_enter), "D"((long)fd), "S"((long)to_submit), "d"((long)min_complete),
                       "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return (int)r;  // the kernel returns -errno itself
#else
    long r = syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, arg, argsz);
    return r < 0 ? -errno : (int)r;
#endif
}

/// io_uring_register(2). Returns the result, or -errno.
int cus_io_uring_register(int fd, uint32_t opcode, const void *arg, uint32_t nr_args);

/// bpf(2). Returns the result, or -errno.
long cus_bpf(int cmd, void *attr, uint32_t size);

/// Load-acquire of a shared ring index.
static inline uint32_t cus_load_acquire(const uint32_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/// Store-release of a shared ring index.
static inline void cus_store_release(uint32_t *p, uint32_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/// Store-release of a 16-bit ring index (provided-buffer ring tails).
static inline void cus_store_release_u16(uint16_t *p, uint16_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/// Relaxed load of a shared ring word (e.g. sq_flags).
static inline uint32_t cus_load_relaxed(const uint32_t *p) {
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/// Full memory barrier (e.g. between tail store and SQPOLL flags read).
static inline void cus_full_barrier(void) {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif
