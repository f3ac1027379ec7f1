#if canImport(Glibc)
import Glibc
#endif
import BPFObject
import Foundation
import Testing
import UringBPF

/// The modes loops can run in here: user everywhere, and kernel where the kernel has io_uring_bpf_ops (the
/// 7.x VM). With URING_BPF_REQUIRE_KERNEL_LOOP=1 (set in the VM) kernel mode is required, never skipped.
let loopModes: [LoopMode] =
    KernelLoopSupport.probe().available || ProcessInfo.processInfo.environment["URING_BPF_REQUIRE_KERNEL_LOOP"] == "1"
    ? [.user, .kernel] : [.user]

/// A loop for test program `name` in `mode`, with 16 SQ / 32 CQ entries unless `configure` changes them.
func userLoop(_ name: String, mode: LoopMode = .user, _ configure: (inout LoopOptions) -> Void = { _ in }) throws -> UringLoop {
    var options = LoopOptions()
    options.mode = mode
    configure(&options)
    return try UringLoop(object: try LoopTestPrograms.object(name), options: options)
}

/// The errno a failed run returned, or nil if it succeeded (or failed otherwise).
func runErrno(_ loop: UringLoop) -> Int32? {
    do {
        _ = try loop.run()
        return nil
    } catch {
        return error.errnoValue
    }
}

/// Runs `body` with SIGALRM unblocked on this thread (the test runner's threads block signals) and a one-shot
/// POSIX timer sending SIGALRM to this very thread after `milliseconds`. Thread-directed, because in kernel mode
/// only the thread inside io_uring_enter can be interrupted, and a process-wide alarm may hit another thread.
func withAlarm<R>(after milliseconds: Int, _ body: () throws -> R) rethrows -> R {
    var alarm = sigset_t(), old = sigset_t()
    sigemptyset(&alarm)
    sigaddset(&alarm, SIGALRM)
    pthread_sigmask(SIG_UNBLOCK, &alarm, &old)
    defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
    signal(SIGALRM) { _ in }
    var event = sigevent()
    event.sigev_notify = 4  // SIGEV_THREAD_ID
    event.sigev_signo = SIGALRM
    event._sigev_un._tid = currentThreadID()
    var timer: timer_t?
    precondition(timer_create(CLOCK_MONOTONIC, &event, &timer) == 0, "timer_create failed")
    defer { timer_delete(timer) }
    var schedule = itimerspec()
    schedule.it_value.tv_nsec = milliseconds * 1_000_000
    timer_settime(timer, 0, &schedule, nil)
    return try body()
}

/// gettid(2), which the Glibc module does not import.
func currentThreadID() -> pid_t {
    typealias GetTID = @convention(c) () -> pid_t
    return unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gettid")!, to: GetTID.self)()
}

/// A temporary file holding `bytes`; removed by `cleanup`.
func temporaryFile(_ bytes: [UInt8] = [], suffix: String = "") throws -> String {
    let path = NSTemporaryDirectory() + "uring-bpf-test-\(UUID().uuidString)\(suffix)"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Deterministic pseudo-random bytes.
func testBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}
