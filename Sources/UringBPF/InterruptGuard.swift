import BPF

#if canImport(Glibc)
import Glibc
#endif

/// The C `struct sigaction` (the bare name also denotes the function).
typealias SignalAction = sigaction

/// Makes a userspace loop interruptible by SIGINT, SIGTERM and SIGALRM, as the kernel's loop is: a signal
/// delivered to the thread running the loop ends the run with EINTR, and only that thread's run, since the
/// kernel checks the pending signals of the task inside `io_uring_enter`.
///
/// While any guard is alive our handler is installed (once, however many loops run on how many threads); it
/// marks every guard of the thread it interrupted, cancels the interpreter step running there, and calls the
/// handler the application had installed before (chained). The application's dispositions come back when the
/// last guard ends. The handler is installed without `SA_RESTART`, so a blocking `io_uring_enter` returns EINTR.
struct InterruptGuard: ~Copyable {
    /// The signals that interrupt a loop.
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGALRM]

    /// This guard's slot in `InterruptTable` (-1 when all slots are taken: the run is then not interruptible).
    let slot: Int

    /// Registers the calling thread and installs the handlers if no other guard has.
    init() {
        slot = InterruptTable.withLock {
            if InterruptTable.guards == 0 { InterruptTable.install() }
            InterruptTable.guards += 1
            return InterruptTable.claim(for: UInt(pthread_self()))
        }
    }

    deinit {
        let slot = self.slot
        InterruptTable.withLock {
            InterruptTable.guards -= 1
            if InterruptTable.guards == 0 { InterruptTable.restore() }
            if slot >= 0 { InterruptTable.release(slot) }
        }
    }

    /// Whether a signal interrupted this thread since the guard began.
    var isInterrupted: Bool { InterruptTable.isInterrupted(slot) }
}

/// The state the signal handler reads: which threads run loops, their flags, and the interpreter flag to
/// cancel. Fixed-size and preallocated, so the handler only loads and stores words (async-signal-safe).
/// Slots are claimed and released under a lock; the handler reads them without one (aligned word accesses).
enum InterruptTable {
    static let capacity = 256
    /// pthread_self() of the thread owning each slot; 0 when free.
    nonisolated(unsafe) static let threads = zeroed(UInt.self)
    /// Non-zero once a signal interrupted the slot's thread.
    nonisolated(unsafe) static let flags = zeroed(UInt32.self)
    /// The interpreter step running on the slot's thread, cancelled by the handler.
    nonisolated(unsafe) static let cancellations = zeroed(Unmanaged<CancellationFlag>?.self)
    /// Live guards; the handler is installed while it is above 0.
    nonisolated(unsafe) static var guards = 0
    /// The dispositions the application had before we installed ours, by signal number.
    nonisolated(unsafe) static var saved = [SignalAction](repeating: SignalAction(), count: 65)
    nonisolated(unsafe) private static let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()

    private static func zeroed<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        UnsafeMutableRawPointer(p).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.stride * capacity)
        return p
    }

    static func withLock<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// A free slot for `thread`, cleared; -1 if none is free. Call with the lock held.
    static func claim(for thread: UInt) -> Int {
        for i in 0..<capacity where threads[i] == 0 {
            flags[i] = 0
            cancellations[i] = nil
            threads[i] = thread
            return i
        }
        return -1
    }

    /// Frees `slot`. Call with the lock held.
    static func release(_ slot: Int) {
        threads[slot] = 0
        cancellations[slot] = nil
    }

    static func isInterrupted(_ slot: Int) -> Bool { slot >= 0 && flags[slot] != 0 }

    /// Makes a signal to this slot's thread also cancel `flag` (the interpreter running a step), or stops.
    static func setCancellation(_ slot: Int, _ flag: CancellationFlag?) {
        guard slot >= 0 else { return }
        cancellations[slot] = flag.map { Unmanaged.passUnretained($0) }
    }

    /// Installs our handler for the interrupting signals, saving the application's. Call with the lock held.
    static func install() {
        for signal in InterruptGuard.signals {
            var action = SignalAction()
            action.__sigaction_handler.sa_sigaction = interruptSignalHandler
            action.sa_flags = SA_SIGINFO
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, &saved[Int(signal)])
        }
    }

    /// Puts the application's dispositions back. Call with the lock held.
    static func restore() {
        for signal in InterruptGuard.signals {
            sigaction(signal, &saved[Int(signal)], nil)
        }
    }
}

private func interruptSignalHandler(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    let me = UInt(pthread_self())
    for i in 0..<InterruptTable.capacity where InterruptTable.threads[i] == me {
        InterruptTable.flags[i] = 1
        InterruptTable.cancellations[i]?.takeUnretainedValue().cancel()
    }
    guard signal >= 0, signal < 65 else { return }
    let old = InterruptTable.saved[Int(signal)]
    if old.sa_flags & SA_SIGINFO != 0 {
        if let f = old.__sigaction_handler.sa_sigaction { f(signal, info, context) }
    } else if let f = old.__sigaction_handler.sa_handler,
              unsafeBitCast(f, to: Int.self) != unsafeBitCast(SIG_DFL, to: Int.self),
              unsafeBitCast(f, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) {
        f(signal)
    }
}
