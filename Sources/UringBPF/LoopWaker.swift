import BPF
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How a run is asked to end early; the first request wins.
enum StopRequest: UInt8, Sendable {
    case none = 0, interrupted, timedOut, cancelled
}

/// One run in progress (or about to start) and the requests to end it: ``UringLoop/interrupt()``, a timeout, task
/// cancellation, or an opted-in signal. The loop checks ``request`` between steps; ``LoopWaker`` makes the request
/// reach a loop that sleeps in `io_uring_enter`, or runs a BPF step, by cancelling the interpreter and sending the
/// loop's thread the wake-up signal until the run ends.
final class RunControl: @unchecked Sendable {
    private let state = Atomic<UInt8>(0)
    /// The thread the run executes on.
    let thread: pthread_t
    /// Signals that end this run (``LoopOptions/interruptingSignals``).
    let signals: [Int32]
    // Guarded by the waker's lock.
    var deadline: ContinuousClock.Instant?
    var cancellations: [CancellationFlag] = []

    init(thread: pthread_t, signals: [Int32]) {
        self.thread = thread
        self.signals = signals
    }

    /// What ended (or is ending) the run, if anything.
    var request: StopRequest { StopRequest(rawValue: state.load(ordering: .acquiring)) ?? .none }

    /// Records `request` unless another came first, and stops the running step. Call with the waker's lock held.
    func raiseLocked(_ request: StopRequest) {
        guard state.compareExchange(expected: 0, desired: request.rawValue, ordering: .acquiringAndReleasing).exchanged
        else { return }
        for flag in cancellations { flag.cancel() }
    }
}

/// The process-wide helper that delivers stop requests: a thread that wakes on a semaphore, turns deadlines into
/// timeouts, and sends `SIGURG` to the thread of every run with a pending request, again every millisecond until the
/// run ends (one signal could land just before the loop enters the kernel; a repeat closes that race). `SIGURG`
/// is ignored by default, so a stray one harms nothing; its handler does nothing but exist, which makes the signal
/// interrupt `io_uring_enter` with EINTR. A `SIGURG` handler the application installed earlier is still called.
enum LoopWaker {
    /// The signal that wakes a loop's thread.
    static let wakeSignal = SIGURG

    private static let lock = Mutex()
    private static let semaphore = Semaphore()
    nonisolated(unsafe) private static var runs: [RunControl] = []
    nonisolated(unsafe) private static var started = false
    /// Signals seen by the opt-in handler, as a bit set; read by the waker thread.
    private static let caughtSignals = Atomic<UInt64>(0)
    nonisolated(unsafe) private static var savedActions: [Int32: sigaction] = [:]
    /// Runs that asked for each opt-in signal; its handler is ours while the count is above 0.
    nonisolated(unsafe) private static var signalUsers: [Int32: Int] = [:]
    private static let wakeHandlerInstalled = Atomic<Bool>(false)

    /// Installs the wake-up handler once for the process (chaining to a handler installed before).
    static func installWakeHandler() {
        guard wakeHandlerInstalled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        // Save the previous disposition before ours can run, so the handler always finds it.
        wakePrevious.initialize(to: sigaction())
        sigaction(wakeSignal, nil, wakePrevious)
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { signal, info, context in
            LoopWaker.chain(LoopWaker.wakePrevious, signal, info, context)
        }
        action.sa_flags = SA_SIGINFO  // no SA_RESTART: the point is EINTR
        sigemptyset(&action.sa_mask)
        sigaction(wakeSignal, &action, nil)
    }

    nonisolated(unsafe) private static let wakePrevious = UnsafeMutablePointer<sigaction>.allocate(capacity: 1)

    /// Tracks `run` until ``end(_:)``: its deadline, its signals, and requests raised against it.
    static func begin(_ run: RunControl, timeout: Duration?) {
        lock.withLock {
            if !started {
                started = true
                var thread = pthread_t()
                var all = sigset_t(), saved = sigset_t()
                sigfillset(&all)
                pthread_sigmask(SIG_SETMASK, &all, &saved)
                pthread_create(&thread, nil, { _ in LoopWaker.serve() }, nil)
                pthread_sigmask(SIG_SETMASK, &saved, nil)
                pthread_detach(thread)
            }
            run.deadline = timeout.map { ContinuousClock.now + $0 }
            for signal in run.signals { catchSignal(signal) }
            runs.append(run)
        }
        semaphore.signal()
    }

    /// Stops tracking `run` (no more wake-up signals for it).
    static func end(_ run: RunControl) {
        lock.withLock {
            runs.removeAll { $0 === run }
            for signal in run.signals { releaseSignal(signal) }
            run.cancellations = []
        }
    }

    /// Makes the interpreters in `flags` stop when a request is raised against `run`.
    static func setCancellations(_ flags: [CancellationFlag], for run: RunControl) {
        lock.withLock {
            run.cancellations = flags
            if run.request != .none { for flag in flags { flag.cancel() } }
        }
    }

    /// Raises `request` against `run` and wakes its thread.
    static func raise(_ request: StopRequest, _ run: RunControl) {
        lock.withLock { run.raiseLocked(request) }
        semaphore.signal()
    }

    private static func serve() -> UnsafeMutableRawPointer? {
        while true {
            let pause: Duration? = lock.withLock {
                let caught = caughtSignals.exchange(0, ordering: .acquiringAndReleasing)
                let now = ContinuousClock.now
                var next: Duration? = nil
                for run in runs {
                    if caught != 0, run.signals.contains(where: { caught & (1 << UInt64($0)) != 0 }) {
                        run.raiseLocked(.interrupted)
                    }
                    if let deadline = run.deadline {
                        if deadline <= now { run.raiseLocked(.timedOut) } else { next = min(next ?? .seconds(3600), deadline - now) }
                    }
                    if run.request != .none {
                        pthread_kill(run.thread, wakeSignal)
                        next = .milliseconds(1)
                    }
                }
                return next
            }
            if let pause {
                var now = timespec()
                clock_gettime(CLOCK_REALTIME, &now)
                let (seconds, attoseconds) = pause.components
                var nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
                var deadline = timespec(tv_sec: now.tv_sec + Int(seconds) + nanoseconds / 1_000_000_000, tv_nsec: 0)
                nanoseconds %= 1_000_000_000
                deadline.tv_nsec = nanoseconds
                _ = semaphore.wait(until: deadline)
            } else {
                semaphore.wait()
            }
        }
    }

    // MARK: Opt-in signals

    /// Installs the catching handler for `signal` if no run uses it yet. Call with the lock held.
    private static func catchSignal(_ signal: Int32) {
        guard signal > 0, signal < 64 else { return }
        signalUsers[signal, default: 0] += 1
        guard signalUsers[signal] == 1 else { return }
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { signal, info, context in
            LoopWaker.caughtSignals.bitwiseOr(1 << UInt64(signal), ordering: .releasing)
            LoopWaker.semaphore.signal()
        }
        action.sa_flags = SA_SIGINFO | SA_RESTART
        sigemptyset(&action.sa_mask)
        var previous = sigaction()
        sigaction(signal, &action, &previous)
        savedActions[signal] = previous
    }

    /// Restores the application's disposition of `signal` when the last run using it ends. Call with the lock held.
    private static func releaseSignal(_ signal: Int32) {
        guard signal > 0, signal < 64, let users = signalUsers[signal] else { return }
        signalUsers[signal] = users - 1
        guard users == 1, var previous = savedActions.removeValue(forKey: signal) else { return }
        sigaction(signal, &previous, nil)
    }

    private static func chain(_ previous: UnsafeMutablePointer<sigaction>, _ signal: Int32,
                              _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
        let old = previous.pointee
        if old.sa_flags & SA_SIGINFO != 0 {
            old.__sigaction_handler.sa_sigaction?(signal, info, context)
        } else if let handler = old.__sigaction_handler.sa_handler,
                  unsafeBitCast(handler, to: Int.self) != unsafeBitCast(SIG_DFL, to: Int.self),
                  unsafeBitCast(handler, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) {
            handler(signal)
        }
    }
}
