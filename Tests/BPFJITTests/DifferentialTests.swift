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
        let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        let failures = await withTaskGroup(of: [String].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    let arena = Arena()
                    var failures: [String] = []
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
                    return failures
                }
            }
            var all: [String] = []
            for await f in group { all += f }
            return all
        }
        for failure in failures.prefix(5) { Issue.record(Comment(rawValue: failure)) }
    }
}
