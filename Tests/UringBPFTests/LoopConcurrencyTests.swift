#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import UringBPF

/// How much slower than native the machine runs: about 10 under QEMU/TCG (the VM guest sets
/// URING_BPF_SLOWDOWN), 1 here.
let slowdown = Double(ProcessInfo.processInfo.environment["URING_BPF_SLOWDOWN"] ?? "") ?? 1

/// Milliseconds since `start`.
func milliseconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
}

@Suite("Loops from any thread, task and actor", .serialized)
struct LoopConcurrencyTests {
    @Test(arguments: loopModes)
    func createAwaitRunFromTasksNeverFailsWithEEXIST(mode: LoopMode) async throws {
        for round in 0..<50 {
            let loop = try userLoop("bpf_nops", mode: mode) { $0.globals = [("reqs_to_run", .integer(20))] }
            try await Task.sleep(for: .microseconds(100))  // resume, most likely on another thread
            let statistics = try await loop.run()
            #expect(statistics.cqesProduced == 20, "round \(round)")
            #expect(try loop.globals.value("stat_nr_cqes", as: UInt32.self) == 20, "round \(round)")
        }
    }

    @Test(arguments: loopModes)
    func runsFromAnActor(mode: LoopMode) async throws {
        actor Owner {
            let loop: UringLoop
            init(_ loop: UringLoop) { self.loop = loop }
            func runTwice() async throws -> Int {
                _ = try await loop.run()
                try loop.globals.set("reqs_to_run", to: Int32(5))
                return try await loop.run().cqesProduced
            }
        }
        let owner = Owner(try userLoop("bpf_nops", mode: mode) { $0.globals = [("reqs_to_run", .integer(5))] })
        #expect(try await owner.runTwice() == 5)
    }

    /// Cancels a task awaiting an endless run (`spin` true: loop_step spins; false: the loop sleeps in the ring)
    /// and returns how long the run took to end, after checking that it ended as cancelled and that the next run
    /// resumes.
    func cancellationLatency(mode: LoopMode, spin: Bool) async throws -> Double {
        let loop = try userLoop("endless", mode: mode) { $0.globals = [("mode", .integer(spin ? 0 : 1))] }
        let task = Task { try await loop.run() }
        // Cancel a run that is under way: its first step has run (on a loaded machine the task may take a while to
        // start), and it has had a moment to spin or to fall asleep in the ring.
        let deadline = ContinuousClock.now + .seconds(10)
        while try loop.globals.value("steps", as: UInt64.self) == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        try await Task.sleep(for: .milliseconds(10))
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.result
        let latency = milliseconds(since: start)
        #expect(throws: LoopError.self) { try result.get() }
        if case .failure(let error as LoopError) = result {
            #expect(error.kind == .cancelled)
            #expect(error.errno == .canceled)
            #expect(error.isResumable)
        }
        let first = try loop.globals.value("steps", as: UInt64.self)
        #expect(first >= 1)
        // The next run resumes where the program was (bounded by a timeout, which ends it).
        try loop.globals.set("mode", to: UInt32(1))
        let next = Task { try await loop.run() }
        try await Task.sleep(for: .milliseconds(20))
        next.cancel()
        _ = await next.result
        #expect(try loop.globals.value("steps", as: UInt64.self) > first, "the second run resumed")
        return latency
    }

    @Test(arguments: loopModes)
    func taskCancellationEndsARunWithin10Milliseconds(mode: LoopMode) async throws {
        for spin in [false, true] {
            var latencies: [Double] = []
            for _ in 0..<5 { latencies.append(try await cancellationLatency(mode: mode, spin: spin)) }
            latencies.sort()
            print("cancellation latency (\(mode) mode, \(spin ? "spinning" : "sleeping") loop): \(latencies.map { String(format: "%.2f ms", $0) })")
            #expect(latencies[2] <= 10 * slowdown, "median \(latencies[2]) ms")
            #expect(latencies[4] <= 100 * slowdown, "worst \(latencies[4]) ms")
        }
    }

    @Test(arguments: loopModes)
    func aTimeoutEndsARunAndTheNextRunResumes(mode: LoopMode) throws {
        let loop = try userLoop("endless", mode: mode) {
            $0.globals = [("mode", .integer(1))]
            $0.timeout = .milliseconds(50)
        }
        for _ in 0..<2 {
            let start = ContinuousClock.now
            #expect {
                _ = try loop.run()
            } throws: { error in
                (error as? LoopError)?.kind == .timedOut && (error as? LoopError)?.errno == .timeout
            }
            let elapsed = milliseconds(since: start)
            #expect(elapsed >= 50 && elapsed <= 50 + 10 * slowdown + 50, "\(elapsed) ms")
        }
        #expect(try loop.globals.value("steps", as: UInt64.self) >= 2, "the second run resumed")
    }

    @Test(arguments: loopModes)
    func interruptFromAnotherThreadEndsTheRun(mode: LoopMode) throws {
        let loop = try userLoop("endless", mode: mode) { $0.globals = [("mode", .integer(0))] }
        Thread {
            usleep(30_000)
            loop.interrupt()
        }.start()
        #expect { _ = try loop.run() } throws: { ($0 as? LoopError)?.kind == .interrupted }
        #expect(try loop.globals.value("steps", as: UInt64.self) > 1)
        let steps = try loop.globals.value("steps", as: UInt64.self)
        loop.interrupt()  // no run in progress: nothing happens, the next run is not affected
        try loop.globals.set("mode", to: UInt32(1))
        Thread {
            usleep(30_000)
            loop.interrupt()
        }.start()
        let start = ContinuousClock.now
        #expect { _ = try loop.run() } throws: { ($0 as? LoopError)?.kind == .interrupted }
        #expect(milliseconds(since: start) >= 25, "the earlier interrupt() did not end this run")
        #expect(try loop.globals.value("steps", as: UInt64.self) > steps, "the run resumed")
    }
}

nonisolated(unsafe) private var hostHandlerCalls = 0

@Suite("The host's signals stay the host's", .serialized)
struct LoopSignalTests {
    /// Sends `signal` to the process while a thread that does not block it waits, so the kernel delivers it there
    /// (the test runner's threads block signals; the loop's thread blocks all but its wake-up signal).
    func deliver(_ signal: Int32) {
        let done = DispatchSemaphore(value: 0)
        Thread {
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, signal)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            kill(getpid(), signal)
            usleep(10_000)
            done.signal()
        }.start()
        done.wait()
    }

    @Test(arguments: loopModes)
    func theHostsSIGINTHandlerRunsAndTheLoopGoesOn(mode: LoopMode) throws {
        var action = sigaction(), saved = sigaction()
        action.__sigaction_handler.sa_handler = { _ in hostHandlerCalls += 1 }
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, &saved)
        defer { sigaction(SIGINT, &saved, nil) }
        hostHandlerCalls = 0

        let loop = try userLoop("endless", mode: mode) {
            $0.globals = [("mode", .integer(1))]
            $0.timeout = .milliseconds(200)
        }
        Thread {
            usleep(30_000)
            self.deliver(SIGINT)
        }.start()
        #expect { _ = try loop.run() } throws: { ($0 as? LoopError)?.kind == .timedOut }
        #expect(hostHandlerCalls == 1, "the host's own handler was called during the run")
    }

    @Test(arguments: loopModes)
    func optedInSignalsEndTheRunAndAreGivenBackAfterwards(mode: LoopMode) throws {
        var action = sigaction(), saved = sigaction()
        action.__sigaction_handler.sa_handler = { _ in hostHandlerCalls += 1 }
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, &saved)
        defer { sigaction(SIGINT, &saved, nil) }
        hostHandlerCalls = 0

        let loop = try userLoop("endless", mode: mode) {
            $0.globals = [("mode", .integer(1))]
            $0.interruptingSignals = [SIGINT]
            $0.timeout = .seconds(5)
        }
        Thread {
            usleep(30_000)
            self.deliver(SIGINT)
        }.start()
        #expect { _ = try loop.run() } throws: { ($0 as? LoopError)?.kind == .interrupted }
        #expect(hostHandlerCalls == 0, "during the run the loop handled SIGINT")
        deliver(SIGINT)
        #expect(hostHandlerCalls == 1, "after the run the host's handler is back")
    }
}
