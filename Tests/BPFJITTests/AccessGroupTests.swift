import BPF
@testable import BPFJIT
import Testing

/// Runs of accesses through one base register (`AccessGroups`, `JITCompiler+AccessGroups`): one check of the
/// span stands for the members' when one region allows all of them; otherwise the members run with their own
/// checks and stop exactly where the interpreter does.
@Suite struct AccessGroupTests {
    let guarded = GuardedLoopTests()

    /// Fills four fields of a 32-byte struct at r1 + r2 (an SQE, say), reads two back; returns their sum.
    static let fill = """
        add %r1, %r2
        stdw [%r1+24], 7
        stxdw [%r1+16], %r2
        mov %r3, 5
        stw [%r1+8], 3
        stb [%r1], 1
        ldxdw %r0, [%r1+24]
        ldxw %r3, [%r1+8]
        add %r0, %r3
        exit
        """

    @Test func theSpanIsFoundOnStraightLinesThroughOneBase() throws {
        let slots = BoundProgram(program: try Program(try Assembler.assemble(Self.fill)), functions: HostFunctions()).slots
        let groups = AccessGroups.find(slots, functionEntries: [0]) { _ in false }
        #expect(groups.count == 1)
        let group = try #require(groups.first)
        #expect(group.first == 1 && group.last == 7 && group.low == 0 && group.high == 32)
        #expect(group.kind == .atomic, "loads and stores need read and write")
        // A jump, a write to the base, a call or a jump target ends a group.
        let split = BoundProgram(program: try Program(try Assembler.assemble("""
            ldxw %r0, [%r1]
            ldxw %r2, [%r1+4]
            jeq %r2, 0, target
            ldxw %r3, [%r1+8]
            target:
            ldxw %r3, [%r1+12]
            ldxdw %r1, [%r1+16]
            ldxw %r3, [%r1]
            exit
            """)), functions: HostFunctions()).slots
        #expect(AccessGroups.find(split, functionEntries: [0]) { _ in false }.map(\.members) == [[0, 1], [4, 5]])
    }

    @Test func aCoveredSpanRunsUnchecked() throws {
        let (jit, run) = try guarded.compare(Self.fill) { [$0, 16] }
        #expect(run.result == "r0 = 10")
        #expect(jit.slowAccesses == 0 && jit.slowGuards == 1 && jit.failedSlowGuards == 0)
    }

    @Test func aSpanPastTheEndStopsAtTheFirstMemberOutside() throws {
        // The 64-byte region ends inside the struct: the first member outside stops the run, whichever it is.
        for start: UInt64 in [33, 36, 40, 50, 57, 60, 64] {
            let (jit, _) = try guarded.compare(Self.fill) { [$0, start] }
            #expect(jit.failedSlowGuards == 1, "start \(start)")
        }
        let (inside, _) = try guarded.compare(Self.fill) { [$0, 32] }
        #expect(inside.failedSlowGuards == 0)
        // Read-only: the first store stops the run.
        let (_, run) = try guarded.compare(Self.fill, permissions: .read) { [$0, 0] }
        #expect(run.result.contains("instruction 1"), "\(run.result)")
    }

    @Test func aSpanOverTwoRegionsRunsChecked() throws {
        let buffer = HostBuffer(64)
        let program = try Program(try Assembler.assemble(Self.fill))
        let interpreter = Interpreter(program: program)
        let jit = try JITRunner(program: program)
        for memory in [interpreter.memory, jit.memory] {
            memory.grant(MemoryRegion(name: "low", base: buffer.address, size: 20, permissions: .readWrite))
            memory.grant(MemoryRegion(name: "high", base: buffer.address + 20, size: 44, permissions: .readWrite))
        }
        #expect(try jit.run(buffer.address, 4) == interpreter.run(buffer.address, 4))
        #expect(jit.failedSlowGuards == 1 && jit.slowAccesses > 0)
    }
}
