import BPF
import BPFJIT

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One page of host memory, parts of which generated programs may access. It is mapped away from the heap
/// (where the engines' stacks are), so an address tells which of the two it belongs to.
///
/// Regions granted at the start of each run, by offset: 256 +256 read-write ("rw", r1), 1024 +128 read-only
/// ("ro", r2), 1536 +64 write-only ("wo", r3), 2048 +4 read-write ("tiny", r4). Helper 2 grants 3072 +128
/// read-write ("late") during a run, helper 3 revokes it. Everything else is memory no program may touch:
/// comparing the whole page after a run shows any stray write.
public final class Arena {
    /// Bytes in the arena.
    public static let size = 4096
    static let regions: [(name: String, offset: Int, size: Int, permissions: MemoryRegion.Permissions)] = [
        ("rw", 256, 256, .readWrite), ("ro", 1024, 128, .read), ("wo", 1536, 64, .write), ("tiny", 2048, 4, .readWrite),
    ]
    static let late = (name: "late", offset: 3072, size: 128)

    let base: UnsafeMutableRawPointer
    /// Address of the first byte.
    public var address: UInt64 { UInt64(UInt(bitPattern: base)) }

    /// Maps a fresh page.
    public init() {
        let p = mmap(nil, Self.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        precondition(p != MAP_FAILED, "cannot map the arena")
        base = p!
    }

    deinit { munmap(base, Self.size) }

    /// Fills the page with bytes derived from `seed` (a multiplicative sequence: cheap, and every byte varies).
    func fill(seed: UInt64) {
        let words = base.assumingMemoryBound(to: UInt64.self)
        var x = seed | 1
        for i in 0..<Self.size / 8 {
            x = x &* 0x5851_f42d_4c95_7f2d &+ 0x1405_7b7e_f767_814f
            words[i] = x ^ (x >> 29)
        }
    }

    var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: base, count: Self.size)) }
}

/// What a run showed from outside: r0 or the error, the instruction count, and every byte it could have
/// written (the arena and the stack).
public struct DifferentialOutcome: Equatable {
    /// `r0 = 0x…` or `error at <index>: <reason>`, with stack addresses relative to the stack top (they differ
    /// between engines) and everything else as is.
    public var result: String
    /// `instructionsExecuted` after the run.
    public var instructionsExecuted: UInt64
    /// The arena's bytes after the run.
    public var arena: [UInt8]
    /// The stack's bytes after the run.
    public var stack: [UInt8]

    /// Equal results, counts and bytes.
    public static func == (a: DifferentialOutcome, b: DifferentialOutcome) -> Bool {
        func same(_ x: [UInt8], _ y: [UInt8]) -> Bool {
            x.count == y.count && x.withUnsafeBytes { p in y.withUnsafeBytes { q in memcmp(p.baseAddress!, q.baseAddress!, x.count) == 0 } }
        }
        return a.result == b.result && a.instructionsExecuted == b.instructionsExecuted && same(a.arena, b.arena)
            && same(a.stack, b.stack)
    }
}

/// The error a failing host function throws.
struct HostFailure: Error, CustomStringConvertible {
    var value: UInt64
    var description: String { "host failure \(value)" }
}

/// A generated program, validated and bound, and the environment it runs in: the arena, r1–r5, the budget,
/// and these host functions:
///
/// - helper 1 "mix": a pure function of r1–r5;
/// - helper 2 "grant": grants the "late" region (once) and returns its address;
/// - helper 3 "revoke": revokes it again;
/// - helper 4 "stop": stops the run when r1 is odd, returns r1 + 7;
/// - helper 5 "fail": throws when r1 is a multiple of 3, otherwise returns r1 + 1;
/// - helper 6 "probe": whether 8 bytes at r1 are readable by the program (`HostCall.isAccessible`);
/// - kfunc "add" (bound by name): r1 + r2.
public struct DifferentialCase {
    /// What the generator made.
    public let generated: GeneratedProgram
    /// The validated program, its pseudo loads resolved and kfunc calls bound.
    public let program: Program

    /// Validates and binds `generated` for `arena`; a validation error here is a generator bug.
    public init(_ generated: GeneratedProgram, arena: Arena) throws(ProgramError) {
        self.generated = generated
        var program: Program
        do {
            program = try Program(generated.instructions, validator: Validator(allowsDivisionByImmediateZero: true))
        } catch {
            throw .validation(error)
        }
        for load in generated.arenaLoads { try program.resolvePseudoLoad(at: load.index, to: arena.address + load.offset) }
        for binding in generated.kfuncBindings { try program.bindKfunc(at: binding.index, name: binding.name) }
        self.program = program
    }

    /// Runs on `engine` from a freshly filled arena; `inspect` sees the runner afterwards.
    public func run(on engine: ExecutionEngine, arena: Arena, inspect: (ProgramRunner) -> Void = { _ in }) -> DifferentialOutcome {
        arena.fill(seed: generated.arenaSeed)
        let memory = MemoryMap()
        for r in Arena.regions {
            memory.grant(name: r.name, base: arena.address + UInt64(r.offset), size: UInt64(r.size), permissions: r.permissions)
        }
        let runner = ProgramRunner(program: program, functions: Self.functions(arena: arena), memory: memory, engine: engine)
        precondition(runner.engine == engine, "\(engine) unavailable: \(runner.fallbackReason ?? "")")
        runner.instructionBudget = generated.instructionBudget
        let stack = runner.stackRegion
        let result: String
        do {
            let r0 = try runner.run(
                arena.address + 256, arena.address + 1024, arena.address + 1536, arena.address + 2048, generated.r5)
            result = "r0 = 0x" + String(r0, radix: 16)
        } catch {
            result = "error at \(error.index): " + Self.describe(error.reason, stack: stack)
        }
        inspect(runner)
        let stackBytes = Array(UnsafeRawBufferPointer(
            start: UnsafeRawPointer(bitPattern: UInt(stack.base)), count: Int(stack.size)))
        return DifferentialOutcome(result: result, instructionsExecuted: runner.instructionsExecuted, arena: arena.bytes, stack: stackBytes)
    }

    /// The interpreter's and the JIT's outcomes, or nil if they agree.
    public func mismatch(arena: Arena) -> (interpreter: DifferentialOutcome, jit: DifferentialOutcome)? {
        let interpreted = run(on: .interpreter, arena: arena)
        let compiled = run(on: .jit, arena: arena)
        return interpreted == compiled ? nil : (interpreted, compiled)
    }

    /// A report of a mismatch: the program, then what differs.
    public func report(_ m: (interpreter: DifferentialOutcome, jit: DifferentialOutcome)) -> String {
        var lines = ["program (budget \(generated.instructionBudget), r5 = 0x\(String(generated.r5, radix: 16))):"]
        lines.append(Disassembler().listing(program.instructions))
        lines.append("interpreter: \(m.interpreter.result), \(m.interpreter.instructionsExecuted) instructions")
        lines.append("jit:         \(m.jit.result), \(m.jit.instructionsExecuted) instructions")
        for (name, a, b) in [("arena", m.interpreter.arena, m.jit.arena), ("stack", m.interpreter.stack, m.jit.stack)] {
            let differing = a.indices.filter { a[$0] != b[$0] }
            if let first = differing.first {
                lines.append("\(name) differs at \(differing.count) bytes, first at offset \(first): \(a[first]) vs \(b[first])")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// An address an engine derived from its own stack pointer (a 16-bit offset from a frame, so within 64 KiB of
    /// the stack) is given relative to that stack's top: the engines' stacks differ, the distances must not. Any other
    /// address (the arena's, a granted region's) is the same in both engines and is given as it is.
    private static func describe(_ reason: RuntimeError.Reason, stack: MemoryRegion) -> String {
        func address(_ a: UInt64) -> String {
            let top = stack.end
            let distance = a > top ? a - top : top - a
            if distance < 1 << 16 { return "stack top \(a >= top ? "+" : "-") \(distance)" }
            return "0x" + String(a, radix: 16)
        }
        switch reason {
        case .memoryViolation(let a, let size, let kind, let nearest):
            return "memoryViolation(\(address(a)), \(size), \(kind), nearest: \(nearest?.name ?? "none"))"
        case .misalignedAtomic(let a, let size):
            return "misalignedAtomic(\(address(a)), \(size))"
        case .hostFunctionFailed(let name, let error):
            return "hostFunctionFailed(\(name), \(error))"
        default:
            return "\(reason)"
        }
    }

    private static func functions(arena: Arena) -> HostFunctions {
        final class Late { var id: RegionID? }
        let late = Late()
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "mix") { call in
            call.r1 &* 31 &+ (call.r2 ^ call.r3) &+ call.r4 << 1 &+ call.r5
        }
        functions.registerHelper(id: 2, name: "grant") { call in
            if late.id == nil {
                late.id = call.memory.grant(
                    name: Arena.late.name, base: arena.address + UInt64(Arena.late.offset),
                    size: UInt64(Arena.late.size), permissions: .readWrite)
            }
            return arena.address + UInt64(Arena.late.offset)
        }
        functions.registerHelper(id: 3, name: "revoke") { call in
            guard let id = late.id else { return 0 }
            call.memory.revoke(id)
            late.id = nil
            return 1
        }
        functions.registerHelper(id: 4, name: "stop") { call in
            if call.r1 & 1 == 1 { call.stopRun() }
            return call.r1 &+ 7
        }
        functions.registerHelper(id: 5, name: "fail") { call in
            if call.r1 % 3 == 0 { throw HostFailure(value: call.r1) }
            return call.r1 &+ 1
        }
        functions.registerHelper(id: 6, name: "probe") { call in
            call.isAccessible(call.r1, size: 8) ? 1 : 0
        }
        functions.registerKfunc(name: "add") { call in call.r1 &+ call.r2 }
        return functions
    }
}
