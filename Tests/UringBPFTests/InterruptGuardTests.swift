#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import UringBPF

nonisolated(unsafe) private var applicationHandlerCalls = 0

/// Part of `LoopSignalTests` (one serialized suite), since signal dispositions are process-wide.
extension LoopSignalTests {
    /// Runs `body` with `signal` unblocked on this thread (the test runner's threads block signals).
    func unblocking<R>(_ signal: Int32, _ body: () throws -> R) rethrows -> R {
        var set = sigset_t(), old = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        pthread_sigmask(SIG_UNBLOCK, &set, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        return try body()
    }

    @Test func signalMarksTheGuardAndChainsTheApplicationsHandler() {
        var app = SignalAction()
        app.__sigaction_handler.sa_handler = { _ in applicationHandlerCalls += 1 }
        sigemptyset(&app.sa_mask)
        var saved = SignalAction()
        sigaction(SIGALRM, &app, &saved)
        defer { sigaction(SIGALRM, &saved, nil) }

        unblocking(SIGALRM) {
            applicationHandlerCalls = 0
            do {
                let guarded = InterruptGuard()
                let before = guarded.isInterrupted
                raise(SIGALRM)
                let after = guarded.isInterrupted
                #expect(!before)
                #expect(after)
                #expect(applicationHandlerCalls == 1)
            }
            // After the guard, the application's handler is in force again, alone.
            raise(SIGALRM)
            #expect(applicationHandlerCalls == 2)
        }
    }

    @Test func aSignalToAnotherThreadDoesNotInterruptThisOne() {
        signal(SIGUSR1) { _ in }
        let here = InterruptGuard()
        nonisolated(unsafe) var thereInterrupted = false
        let ready = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        Thread { [self] in
            unblocking(SIGALRM) {
                let there = InterruptGuard()
                ready.signal()
                // pthread_kill aims at this thread only, as the kernel delivers to one task.
                pthread_kill(pthread_self(), SIGALRM)
                thereInterrupted = there.isInterrupted
            }
            done.signal()
        }.start()
        ready.wait()
        done.wait()
        let hereInterrupted = here.isInterrupted
        #expect(thereInterrupted)
        #expect(!hereInterrupted)
    }
}
