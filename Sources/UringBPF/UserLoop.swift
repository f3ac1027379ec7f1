import BPFJIT
import BPFObject
import Uring

/// User mode: our engine runs the step (a BPF program or a Swift closure) over a real ring.
final class UserLoop: LoopBackend {
    let engine: UserLoopEngine
    private let program: UserLoopProgram?
    private let step: LoopStep?

    init(engine: UserLoopEngine, object: ObjectFile, options: LoopOptions) throws(LoopError) {
        self.engine = engine
        program = try UserLoopProgram(object: object, engine: engine, options: options)
        step = nil
    }

    init(engine: UserLoopEngine, step: @escaping LoopStep) {
        self.engine = engine
        program = nil
        self.step = step
    }

    var emulatesSQRewind: Bool { engine.regions.isShadowed }
    var executionEngine: (engine: ExecutionEngine, fallbackReason: String?)? { program?.executionEngine }
    var lastStatistics: LoopStatistics { engine.lastStatistics }

    var globals: GlobalVariables {
        program?.globals ?? GlobalVariables(owner: engine, sections: [], btf: nil)
    }

    var memory: LoopMemory? { engine.regions.mem.map { LoopMemory(owner: engine, buffer: $0) } }

    func map(named name: String) throws(LoopError) -> LoopMap {
        guard let map = program?.maps.first(where: { $0.definition.name == name }) else {
            let known = program?.maps.map(\.definition.name) ?? []
            throw LoopError(.badArgument, "the program has no map '\(name)'"
                + (known.isEmpty ? "" : " (it has: \(known.joined(separator: ", ")))"))
        }
        return LoopMap(storage: map)
    }

    func run(_ control: RunControl) throws(LoopError) -> LoopStatistics {
        if let program {
            LoopWaker.setCancellations(program.cancellations, for: control)
            return try engine.run(control) { () throws(LoopError) -> Int32 in try program.step() }
        }
        let context = LoopStepContext(engine: engine)
        let step = self.step!
        return try engine.run(control) { () throws(LoopError) -> Int32 in step(context).rawValue }
    }

    func withRing<R, E: Error>(_ body: (inout IoUring) throws(E) -> R) throws(E) -> R {
        try body(&engine.ring)
    }
}
