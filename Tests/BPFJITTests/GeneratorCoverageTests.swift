import BPF
@testable import BPFJIT
import BPFProgramGenerator
import Testing

/// The differential test is only as good as its programs: they must reach every way a run can end and the
/// JIT's guarded loops, both ways. (Counts over the first 2,000 seeds, which the differential test also runs.)
@Suite struct GeneratorCoverageTests {
    @Test func programsEndInEveryWayAndExerciseGuardedLoops() throws {
        let arena = Arena()
        var endings: [String: Int] = [:]
        var withGuardedLoops = 0, withCountedLoops = 0, guardsPassed = 0, guardsFailed = 0, executed: UInt64 = 0
        let count = 2000
        for seed in 0..<UInt64(count) {
            var generator = ProgramGenerator(GeneratorRandomness(seed: seed))
            let c = try DifferentialCase(generator.generate(), arena: arena)
            let outcome = c.run(on: .interpreter, arena: arena)
            executed += outcome.instructionsExecuted
            let ending = outcome.result.hasPrefix("r0") ? "exit" : String(
                outcome.result.drop { $0 != ":" }.dropFirst(2).prefix { $0.isLetter })
            endings[ending, default: 0] += 1
            let slots = BoundProgram(program: c.program, functions: HostFunctions()).slots
            let loops = LoopAnalysis(slots: slots, functionEntries: c.program.functionEntries).guardedLoops()
            if loops.contains(where: { $0.counted != nil }) { withCountedLoops += 1 }
            if !loops.isEmpty {
                withGuardedLoops += 1
                _ = c.run(on: .jit, arena: arena) { runner in
                    guard let jit = runner.jitRunner else { return }
                    guardsPassed += jit.slowGuards - jit.failedSlowGuards
                    guardsFailed += jit.failedSlowGuards
                }
            }
        }
        #expect(endings["exit", default: 0] >= count * 2 / 5, "\(endings)")
        for reason in ["memoryViolation", "misalignedAtomic", "budgetExhausted", "unknownKfunc", "unknownHelper",
                       "hostFunctionFailed", "callDepthExceeded"] {
            #expect(endings[reason, default: 0] > 0, "no run ended with \(reason): \(endings)")
        }
        #expect(withGuardedLoops >= count / 2)
        #expect(withCountedLoops >= count / 4, "\(withCountedLoops) with counted loops")
        #expect(guardsPassed > count / 10 && guardsFailed > count / 100, "\(guardsPassed) passed, \(guardsFailed) failed")
        #expect(executed / UInt64(count) >= 200)
    }
}
