#if canImport(Glibc)
import Glibc
#endif

/// The C `struct sigaction` (the bare name also denotes the function).
typealias SignalAction = sigaction

/// Makes a userspace loop interruptible by SIGINT, SIGTERM and SIGALRM, as the kernel's loop is.
///
/// While a guard is alive, those signals set a flag that the interpreter polls and that makes a
/// blocking `io_uring_enter` return EINTR (the handler is installed without `SA_RESTART`).
/// A handler the application installed before is still called (chained); the previous
/// dispositions are restored when the guard ends.
struct InterruptGuard: ~Copyable {
    /// The signals that interrupt a loop.
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGALRM]

    private var previous: [(Int32, SignalAction)] = []

    /// Installs the handlers and clears the flag.
    init() {
        InterruptFlag.word.pointee = 0
        for signal in Self.signals {
            var action = SignalAction()
            action.__sigaction_handler.sa_sigaction = interruptSignalHandler
            action.sa_flags = SA_SIGINFO
            sigemptyset(&action.sa_mask)
            var old = SignalAction()
            if sigaction(signal, &action, &old) == 0 {
                previous.append((signal, old))
                InterruptFlag.chained[Int(signal)] = old
            }
        }
    }

    deinit {
        for (signal, old) in previous {
            var old = old
            sigaction(signal, &old, nil)
        }
    }
}

/// The word a signal handler sets; the interpreter's cancellation flag points at it.
enum InterruptFlag {
    /// Non-zero once an interrupting signal arrived. Written only by the signal handler and `InterruptGuard`.
    nonisolated(unsafe) static let word: UnsafeMutablePointer<UInt32> = {
        let p = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    /// The dispositions in force before the guard, indexed by signal number, for chaining.
    nonisolated(unsafe) static var chained = [SignalAction](repeating: SignalAction(), count: 65)

    /// Whether an interrupting signal arrived since the guard was installed.
    static var isSet: Bool { word.pointee != 0 }
}

private func interruptSignalHandler(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    InterruptFlag.word.pointee = 1
    guard signal >= 0, signal < 65 else { return }
    let old = InterruptFlag.chained[Int(signal)]
    if old.sa_flags & SA_SIGINFO != 0 {
        if let f = old.__sigaction_handler.sa_sigaction { f(signal, info, context) }
    } else if let f = old.__sigaction_handler.sa_handler,
              unsafeBitCast(f, to: Int.self) != unsafeBitCast(SIG_DFL, to: Int.self),
              unsafeBitCast(f, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) {
        f(signal)
    }
}
