#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import UringBPF

nonisolated(unsafe) private var applicationHandlerCalls = 0

@Suite("Signals interrupt a userspace loop", .serialized)
struct InterruptGuardTests {
    @Test func signalSetsTheFlagAndChainsTheApplicationsHandler() {
        var app = SignalAction()
        app.__sigaction_handler.sa_handler = { _ in applicationHandlerCalls += 1 }
        sigemptyset(&app.sa_mask)
        var saved = SignalAction()
        sigaction(SIGALRM, &app, &saved)
        defer { sigaction(SIGALRM, &saved, nil) }

        // The test runner's threads block signals; a loop is interruptible only where they are not.
        var alarm = sigset_t(), oldMask = sigset_t()
        sigemptyset(&alarm)
        sigaddset(&alarm, SIGALRM)
        pthread_sigmask(SIG_UNBLOCK, &alarm, &oldMask)
        defer { pthread_sigmask(SIG_SETMASK, &oldMask, nil) }

        applicationHandlerCalls = 0
        do {
            let guarded = InterruptGuard()
            #expect(!InterruptFlag.isSet)
            raise(SIGALRM)
            #expect(InterruptFlag.isSet)
            #expect(applicationHandlerCalls == 1)
            _ = consume guarded
        }
        // After the guard, the application's handler is in force again, alone.
        InterruptFlag.word.pointee = 0
        raise(SIGALRM)
        #expect(!InterruptFlag.isSet)
        #expect(applicationHandlerCalls == 2)
    }
}
