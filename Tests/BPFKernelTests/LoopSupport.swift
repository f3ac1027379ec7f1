import BPFKernel
import BPFObject
import SystemPackage
import Testing
import Uring
import UringBPFExamples

#if canImport(Glibc)
import Glibc
#endif

/// Whether the running kernel can attach `io_uring_bpf_ops` (Linux 7.1+). The loop tests need it, so on the
/// 6.18 host they skip and run for real in the VM (`Scripts/kernel-vm/run`).
enum KernelLoop {
    static let available = runningAsRoot && ((try? KernelBTF.current().hasIoUringBPFOps) ?? false)
    /// The VM sets URING_BPF_REQUIRE_KERNEL_LOOP=1: there the tests must run (and fail) rather than skip.
    static let enabled = available || getenv("URING_BPF_REQUIRE_KERNEL_LOOP").map { String(cString: $0) == "1" } == true
    static let skipReason: Comment =
        "this kernel has no io_uring_bpf_ops (needs Linux 7.1+, and root); these tests run in the VM"
}

/// Objects under test, compiled by BPFCompilerPlugin: this target's `Programs/*.bpf.c` and the shipped examples.
enum TestObjects {
    static func program(_ name: String) throws -> ObjectFile {
        let built = try #require(BuiltBPFObjects.all.first { $0.name == name }, "test program \(name) was not built")
        return try ObjectFile(bytes: built.bytes)
    }

    static func example(_ name: String) throws -> ObjectFile {
        let example = try #require(UringBPFExamples.named(name), "example \(name) was not built")
        return try ObjectFile(bytes: example.bytes)
    }

    /// Loads test program `name` with its initial globals.
    static func load(_ name: String) throws -> LoadedKernelObject {
        try KernelObjectLoader(program(name), name: name).load()
    }

    /// The source line (from the object's line info) of the first instruction whose source contains `text`.
    static func sourceLine(containing text: String, in object: ObjectFile) throws -> Int {
        let lines = object.programs.flatMap(\.lineInfo)
        return try #require(lines.first { $0.source.contains(text) }, "no line info with '\(text)'").line
    }
}

/// The ring flags every BPF loop uses: DEFER_TASKRUN (which needs SINGLE_ISSUER) is what the kernel requires;
/// NO_SQARRAY and SQ_REWIND let the program write SQEs 0..n-1 on every step.
let loopRingFlags: SetupFlags = [.singleIssuer, .deferTaskrun, .noSQArray, .sqRewind]

/// A ring for BPF loops: 16 SQ and 32 CQ entries (`cqSize` is added for the CQ size).
func loopRing(flags: SetupFlags = loopRingFlags) throws -> IoUring {
    try IoUring(entries: 16, flags: flags, cqEntries: 32)
}

/// One `io_uring_enter` as it drives an attached ring: the kernel ignores the arguments and runs the loop until
/// loop_step returns STOP (0), or fails.
@discardableResult
func runLoop(_ ring: borrowing IoUring) throws(UringError) -> Int32 {
    try ring.enter(toSubmit: 0, minComplete: 0, flags: .getEvents)
}

/// A 32-bit word of the ring's shared rings region at byte `offset` (heads, tails).
func ringWord(_ ring: borrowing IoUring, at offset: UInt32) -> UInt32 {
    UnsafeRawBufferPointer(ring.ringsRegion).loadUnaligned(fromByteOffset: Int(offset), as: UInt32.self)
}

/// Runs `body` while a POSIX timer sends SIGALRM to this thread every 20 ms, with SIGALRM unblocked here. The
/// handler does nothing and is installed without SA_RESTART, so a blocking syscall in `body` fails with EINTR. The timer targets this thread
/// (SIGEV_THREAD_ID): the test process has many threads, and a process-wide alarm() could hit any of them.
func withRepeatedAlarm<T>(_ body: () throws -> T) throws -> T {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0  // no SA_RESTART
    guard sigaction(SIGALRM, &action, nil) == 0 else { throw Errno(rawValue: errno) }
    // Test threads come from a pool that blocks asynchronous signals; a blocked signal would only stay pending.
    var alarmOnly = sigset_t()
    sigemptyset(&alarmOnly)
    sigaddset(&alarmOnly, SIGALRM)
    var previousMask = sigset_t()
    guard pthread_sigmask(SIG_UNBLOCK, &alarmOnly, &previousMask) == 0 else { throw Errno(rawValue: errno) }
    defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }

    var event = sigevent()
    event.sigev_notify = 4  // SIGEV_THREAD_ID
    event.sigev_signo = SIGALRM
    event._sigev_un._tid = currentThreadID()
    var timer: timer_t? = nil
    guard timer_create(CLOCK_MONOTONIC, &event, &timer) == 0 else { throw Errno(rawValue: errno) }
    defer { timer_delete(timer) }
    let period = timespec(tv_sec: 0, tv_nsec: 20_000_000)
    var schedule = itimerspec(it_interval: period, it_value: period)
    guard timer_settime(timer, 0, &schedule, nil) == 0 else { throw Errno(rawValue: errno) }
    return try body()
}

/// gettid(2); glibc has it, but the Glibc module does not import it.
private func currentThreadID() -> pid_t {
    typealias GetTID = @convention(c) () -> pid_t
    let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gettid")!
    return unsafeBitCast(symbol, to: GetTID.self)()
}
