import BPF
@testable import BPFJIT
import BPFProgramGenerator
import Foundation
import Testing

@Test func generatorStats() throws {
    guard ProcessInfo.processInfo.environment["GEN_STATS"] != nil else { return }
    let arena = Arena()
    var kinds: [String: Int] = [:]
    var lengths = 0, executed: UInt64 = 0, guarded = 0, hoisted = 0, inductions = 0
    for seed in 0..<2000 as Range<UInt64> {
        var g = ProgramGenerator(GeneratorRandomness(seed: seed))
        let p = g.generate()
        let c = try DifferentialCase(p, arena: arena)
        let loops = LoopAnalysis(slots: BoundProgram(program: c.program, functions: HostFunctions()).slots, functionEntries: c.program.functionEntries).guardedLoops()
        if !loops.isEmpty { guarded += 1 }
        hoisted += loops.reduce(0) { $0 + $1.accesses.count }
        inductions += loops.reduce(0) { $0 + $1.inductions.count }
        let o = c.run(on: .jit, arena: arena)
        lengths += p.instructions.count
        executed += o.instructionsExecuted
        var k = o.result
        if k.hasPrefix("r0") { k = "exit" } else if let r = k.range(of: ": ") { k = String(k[r.upperBound...].prefix(while: { $0 != "(" })) }
        kinds[k, default: 0] += 1
    }
    print(kinds.sorted { $0.value > $1.value })
    print("avg length", lengths / 2000, "avg executed", executed / 2000, "programs with guarded loops", guarded, "hoisted accesses", hoisted, "bounded inductions", inductions)
}
