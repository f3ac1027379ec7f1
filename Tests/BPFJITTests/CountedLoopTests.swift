import BPF
@testable import BPFJIT
import Testing

/// Counted loops (`CountedLoop`, `JITCompiler+CountedLoops`) run in unrolled batches the fuel pays for in
/// advance: every trip count (whole blocks, a remainder, none), every way the batch can end (the loop's end, the
/// fuel, a budget that runs out inside the loop) must agree with the interpreter.
@Suite struct CountedLoopTests {
    let guarded = GuardedLoopTests()

    func counted(_ source: String) throws -> CountedLoop? {
        let slots = BoundProgram(program: try Program(try Assembler.assemble(source)), functions: HostFunctions()).slots
        return LoopAnalysis(slots: slots, functionEntries: [0]).guardedLoops().first?.counted
    }

    @Test func theBenchmarkShapesAreCountedAndFoldTheirPointers() throws {
        let checksum = try #require(try counted(GuardedLoopTests.checksum))
        #expect(checksum.counter == 1 && checksum.bound == 3 && checksum.strict && checksum.length == 4)
        #expect(checksum.folded == [1: 2] && checksum.accumulator == 0)
        let blocks = try #require(try counted(GuardedLoopTests.blocks))
        #expect(blocks.folded == [1: 16, 3: 1] && blocks.accumulator == 0)
    }

    @Test func anAccumulatorIsASumOnlyAddedTo() throws {
        // Read as a value, or sharing the scratch register with a shift by a register: summed as written.
        let read = GuardedLoopTests.checksum.replacingOccurrences(of: "add %r0, %r4", with: "add %r0, %r4\nmov %r5, %r0")
        #expect(try counted(read)?.accumulator == nil)
        let shift = GuardedLoopTests.checksum.replacingOccurrences(of: "add %r0, %r4", with: "add %r0, %r4\nlsh %r4, %r2")
        #expect(try counted(shift)?.accumulator == nil)
        for words: UInt64 in [3, 4, 5, 9] {
            try guarded.compare(read) { [$0, 2 * words] }
            try guarded.compare(shift) { [$0, 2 * words] }
        }
    }

    @Test func everyTripCountAndRemainderMatchesTheInterpreter() throws {
        // 0 (the body still runs once) to 9 iterations: no block, one block and a remainder, two blocks.
        for words: UInt64 in 0...9 { try guarded.compare(GuardedLoopTests.checksum) { [$0, 2 * words] } }
        // An odd length: the last iteration starts below the end and reads one byte past it.
        for bytes: UInt64 in [1, 7, 9] { try guarded.compare(GuardedLoopTests.checksum) { [$0, bytes] } }
        for words: UInt64 in 0...9 { try guarded.compare(GuardedLoopTests.blocks, size: 160) { [$0, words] } }
        // Inclusive bounds, both operand orders.
        for back in ["jle %r1, %r3, loop", "jge %r3, %r1, loop", "jgt %r3, %r1, loop"] {
            let source = GuardedLoopTests.checksum.replacingOccurrences(of: "jlt %r1, %r3, loop", with: back)
            for words: UInt64 in 0...6 { try guarded.compare(source) { [$0, 2 * words] } }
        }
    }

    @Test func foldedStoresAndLoadsAfterTheStepUseTheSteppedAddress() throws {
        // The add sits between the accesses: the store after it is one element further on.
        let source = """
            mov %r3, %r1
            add %r3, %r2
            loop:
            ldxb %r0, [%r1]
            add %r1, 1
            stxb [%r1+15], %r0
            jlt %r1, %r3, loop
            exit
            """
        #expect(try counted(source)?.folded == [1: 1])
        for bytes: UInt64 in [1, 4, 5, 13, 48] { try guarded.compare(source) { [$0, bytes] } }
    }

    @Test func aPointerAlsoReadAsAValueIsNotFolded() throws {
        let source = """
            mov %r0, 0
            mov %r3, %r1
            add %r3, %r2
            loop:
            stxdw [%r1], %r1
            add %r0, %r1
            add %r1, 8
            jlt %r1, %r3, loop
            exit
            """
        #expect(try counted(source)?.folded == [:])
        for bytes: UInt64 in [8, 32, 40, 64] { try guarded.compare(source) { [$0, bytes] } }
    }

    @Test func loopsWithBranchesOrAtomicsAreNotCounted() throws {
        let branchy = """
            mov %r3, %r1
            add %r3, %r2
            loop:
            ldxb %r0, [%r1]
            jeq %r0, 0, skip
            add %r0, 1
            skip:
            add %r1, 1
            jlt %r1, %r3, loop
            exit
            """
        #expect(try counted(branchy) == nil)
        let atomic = GuardedLoopTests.checksum.replacingOccurrences(of: "ldxh %r4, [%r1]", with: "lock add [%r1], %r0")
        #expect(try counted(atomic) == nil)
    }

    /// A walk over 64 KiB is 131,075 instructions: it refuels twice inside the loop, between batches.
    @Test func budgetsThatRunOutInsideTheLoopStopAtTheInterpretersInstruction() throws {
        let buffer = HostBuffer(64 * 1024)
        let program = try Program(try Assembler.assemble(GuardedLoopTests.checksum))
        let region = MemoryRegion(name: "buffer", buffer: buffer.memory)
        for budget: UInt64 in [1, 2, 3, 4, 5, 6, 7, 9, 17, 1000, 65_535, 65_536, 65_537, 65_540, 131_072, 131_075, 131_076, 1 << 20] {
            let interpreter = Interpreter(program: program)
            interpreter.memory.grant(region)
            interpreter.instructionBudget = budget
            let jit = try JITRunner(program: program)
            jit.memory.grant(region)
            jit.instructionBudget = budget
            let expected = Result { () throws(RuntimeError) in try interpreter.run(buffer.address, 64 * 1024) }
            let got = Result { () throws(RuntimeError) in try jit.run(buffer.address, 64 * 1024) }
            #expect("\(got)" == "\(expected)", "budget \(budget)")
            #expect(jit.instructionsExecuted == interpreter.instructionsExecuted, "budget \(budget)")
        }
    }
}
