import BPF
import BPFJIT
import BPFProgramGenerator
import Foundation
import Testing

/// Random programs (see `ProgramGenerator`) on both engines: r0 or the error (reason and instruction index), the
/// instruction count, and the memory they could write (arena and stack) must agree.
///
/// `URING_BPF_DIFFERENTIAL_PROGRAMS` sets the number of programs (default 100,000; CI runs the default),
/// `URING_BPF_DIFFERENTIAL_SEED` the first seed (default 0).
@Suite struct DifferentialTests {
    static let count = ProcessInfo.processInfo.environment["URING_BPF_DIFFERENTIAL_PROGRAMS"].flatMap { Int($0) } ?? 100_000
    static let firstSeed = ProcessInfo.processInfo.environment["URING_BPF_DIFFERENTIAL_SEED"].flatMap { UInt64($0) } ?? 0

    @Test func randomProgramsBehaveTheSameOnBothEngines() async throws {
        // Threads of their own: a minute of CPU-bound work on the cooperative pool would starve every other test.
        let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        let failures = Failures()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let remaining = Failures.Counter(workers)
            for worker in 0..<workers {
                Thread.detachNewThread {
                    let arena = Arena()
                    var seed = Self.firstSeed + UInt64(worker)
                    while seed < Self.firstSeed + UInt64(Self.count) && failures.count < 3 {
                        var generator = ProgramGenerator(GeneratorRandomness(seed: seed))
                        let generated = generator.generate()
                        do {
                            let c = try DifferentialCase(generated, arena: arena)
                            if let m = c.mismatch(arena: arena) { failures.append("seed \(seed):\n" + c.report(m)) }
                        } catch {
                            failures.append("seed \(seed): generated an invalid program: \(error)")
                        }
                        seed += UInt64(workers)
                    }
                    if remaining.decrement() == 0 { done.resume() }
                }
            }
        }
        for failure in failures.all.prefix(5) { Issue.record(Comment(rawValue: failure)) }
    }
}

/// What the worker threads report, behind a lock.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    var count: Int { lock.withLock { items.count } }
    var all: [String] { lock.withLock { items } }
    func append(_ failure: String) { lock.withLock { items.append(failure) } }

    /// Counts the workers still running.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Int
        init(_ value: Int) { self.value = value }
        func decrement() -> Int {
            lock.withLock {
                value -= 1
                return value
            }
        }
    }
}
