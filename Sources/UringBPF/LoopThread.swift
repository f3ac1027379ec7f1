#if canImport(Glibc)
import Glibc
#endif

/// The thread a ``UringLoop`` owns: its ring is created, registered, run and torn down there, so the ring's
/// SINGLE_ISSUER|DEFER_TASKRUN submitter task never changes, whatever thread or task the caller is on.
///
/// Jobs run one at a time, in order. Synchronous callers block until their job is done; async callers suspend
/// (the cooperative pool is never blocked). The thread blocks every signal but the loop's wake-up signal
/// (``LoopWaker``), so a host program's signals go to its own threads and never interrupt a run by accident.
final class LoopThread: @unchecked Sendable {
    private let lock = Mutex()
    private var jobs: [() -> Void] = []
    private var stopping = false
    private var thread = pthread_t()

    init() {
        let box = Unmanaged.passRetained(self)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        // Block everything in the new thread but the wake-up signal (synchronous faults are delivered anyway).
        var all = sigset_t(), saved = sigset_t()
        sigfillset(&all)
        sigdelset(&all, LoopWaker.wakeSignal)
        pthread_sigmask(SIG_SETMASK, &all, &saved)
        let created = pthread_create(&thread, &attributes, { context in
            let me = Unmanaged<LoopThread>.fromOpaque(context!).takeRetainedValue()
            me.serve()
            return nil
        }, box.toOpaque())
        pthread_sigmask(SIG_SETMASK, &saved, nil)
        precondition(created == 0, "pthread_create failed: \(created)")
        LoopWaker.installWakeHandler()
    }

    /// The thread's handle, for the waker's `pthread_kill`.
    var handle: pthread_t { thread }

    /// Whether the caller is this thread.
    var isCurrent: Bool { pthread_equal(pthread_self(), thread) != 0 }

    /// Runs `body` on the thread and returns its result; inline when called from the thread itself.
    func perform<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        if isCurrent { return try body() }
        return try withoutActuallyEscaping(body) { (escapable) throws(E) -> R in
            // The box lets the job drop `body` before the caller returns (it must not outlive this call).
            let box = JobBox<R, E>()
            box.body = escapable
            enqueue {
                box.result = Result { () throws(E) -> R in try box.body!() }
                box.body = nil
                box.done.signal()
            }
            box.done.wait()
            return try box.result!.get()
        }
    }

    /// Runs `body` on the thread while the calling task is suspended.
    func perform<R: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> R) async throws(E) -> R {
        let result: Result<R, E> = await withCheckedContinuation { continuation in
            enqueue { continuation.resume(returning: Result { () throws(E) -> R in try body() }) }
        }
        return try result.get()
    }

    private func enqueue(_ job: @escaping () -> Void) {
        lock.withLock {
            jobs.append(job)
            lock.signal()
        }
    }

    /// Ends the thread after the jobs already queued (joined, unless called from the thread itself).
    func stop() {
        lock.withLock {
            stopping = true
            lock.signal()
        }
        if isCurrent { pthread_detach(thread) } else { pthread_join(thread, nil) }
    }

    private func serve() {
        while true {
            let next: (() -> Void)? = lock.withLock {
                while jobs.isEmpty && !stopping { lock.wait() }
                return jobs.isEmpty ? nil : jobs.removeFirst()
            }
            guard let next else { return }
            next()
        }
    }
}

/// A synchronous job's closure, result and completion signal.
private final class JobBox<R, E: Error>: @unchecked Sendable {
    var body: (() throws(E) -> R)?
    var result: Result<R, E>?
    let done = Semaphore()
}

/// A pthread mutex with one condition variable.
final class Mutex: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits for `signal()`; call with the lock held.
    func wait() { pthread_cond_wait(condition, mutex) }
    /// Wakes the waiters; call with the lock held.
    func signal() { pthread_cond_broadcast(condition) }
}

/// A POSIX semaphore (`sem_post` is async-signal-safe, which is why the waker uses one).
final class Semaphore: @unchecked Sendable {
    let raw = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    init(_ value: UInt32 = 0) { sem_init(raw, 0, value) }
    deinit {
        sem_destroy(raw)
        raw.deallocate()
    }
    func signal() { sem_post(raw) }
    func wait() { while sem_wait(raw) != 0 {} }
    /// Waits until `deadline` (CLOCK_REALTIME, as sem_timedwait takes); false on timeout.
    func wait(until deadline: timespec) -> Bool {
        var deadline = deadline
        while sem_timedwait(raw, &deadline) != 0 {
            if errno == ETIMEDOUT { return false }
        }
        return true
    }
}
