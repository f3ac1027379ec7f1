import BPF
@testable import BPFJIT
import Testing

/// Loops whose memory checks the JIT hoists to the loop entry (`LoopAnalysis`, `JITCompiler+Loops`): the guard
/// takes the unchecked copy only when the whole range is allowed; otherwise the checked copy stops at exactly the
/// interpreter's instruction and address. Each case runs on both engines over the same bytes.
@Suite struct GuardedLoopTests {
    struct Run {
        var result: String
        var count: UInt64
        var bytes: [UInt8]
    }

    /// Runs `source` on both engines with `buffer` granted as `permissions` (its bytes reset before each run);
    /// expects the same outcome and returns the JIT runner (for its counters) and the outcome.
    @discardableResult
    func compare(
        _ source: String, size: Int = 64, permissions: MemoryRegion.Permissions = .readWrite,
        grantedBytes: Int? = nil, arguments: (UInt64) -> [UInt64], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (JITRunner, Run) {
        let buffer = HostBuffer(size)
        let program = try Program(try Assembler.assemble(source))
        func execute(_ run: (UInt64, UInt64, UInt64) throws(RuntimeError) -> UInt64, count: () -> UInt64) -> Run {
            for i in 0..<size { buffer.memory[i] = UInt8(truncatingIfNeeded: i &* 7 &+ 1) }
            let a = arguments(buffer.address) + [0, 0, 0]
            let result: String
            do {
                result = "r0 = \(try run(a[0], a[1], a[2]))"
            } catch {
                // The stacks differ between engines, and so does the region nearest to a wild address.
                result = "\(error)".split(separator: " (nearest").first.map(String.init) ?? ""
            }
            return Run(result: result, count: count(), bytes: Array(buffer.memory))
        }
        let region = MemoryRegion(
            name: "buffer", base: buffer.address, size: UInt64(grantedBytes ?? size), permissions: permissions)
        let interpreter = Interpreter(program: program)
        interpreter.memory.grant(region)
        let jit = try JITRunner(program: program)
        jit.memory.grant(region)
        let expected = execute({ a, b, c throws(RuntimeError) in try interpreter.run(a, b, c) }) { interpreter.instructionsExecuted }
        let got = execute({ a, b, c throws(RuntimeError) in try jit.run(a, b, c) }) { jit.instructionsExecuted }
        #expect(got.result == expected.result, sourceLocation: sourceLocation)
        #expect(got.count == expected.count, sourceLocation: sourceLocation)
        #expect(got.bytes == expected.bytes, sourceLocation: sourceLocation)
        return (jit, got)
    }

    static let checksum = """
        mov %r0, 0
        mov %r3, %r1
        add %r3, %r2
        loop:
        ldxh %r4, [%r1]
        add %r0, %r4
        add %r1, 2
        jlt %r1, %r3, loop
        exit
        """

    @Test func aWalkThatFitsRunsUnchecked() throws {
        let (jit, run) = try compare(Self.checksum) { [$0, 64] }
        #expect(run.result.hasPrefix("r0 = "))
        #expect(jit.slowGuards == 1 && jit.failedSlowGuards == 0)
        #expect(jit.slowAccesses == 0, "the checked copy ran")
    }

    @Test func aWalkOneElementTooFarStopsAtTheSameAccess() throws {
        let (jit, run) = try compare(Self.checksum, grantedBytes: 62) { [$0, 64] }
        #expect(run.result.contains("instruction 3"), "\(run.result)")
        #expect(jit.failedSlowGuards == 1)
    }

    @Test func anOddStepPastTheEndIsCaught() throws {
        // Step 3 over 64 bytes: the last 2-byte load at offset 63 reaches one byte past the region.
        try compare(Self.checksum.replacingOccurrences(of: "add %r1, 2", with: "add %r1, 3")) { [$0, 64] }
        try compare(Self.checksum.replacingOccurrences(of: "add %r1, 2", with: "add %r1, 3")) { [$0, 63] }
    }

    @Test func theBoundMayBeTheOtherOperandOrInclusive() throws {
        for back in ["jgt %r3, %r1, loop", "jge %r3, %r1, loop", "jle %r1, %r3, loop"] {
            let source = Self.checksum.replacingOccurrences(of: "jlt %r1, %r3, loop", with: back)
            try compare(source) { [$0, 62] }
            try compare(source) { [$0, 64] }
        }
    }

    @Test func aHistogramTableLookupIsHoisted() throws {
        let (jit, run) = try compare(
            """
            mov %r4, %r1
            add %r4, %r2
            loop:
            ldxb %r5, [%r1]
            and %r5, 0x3c
            add %r5, %r3
            ldxw %r0, [%r5]
            add %r0, 1
            stxw [%r5], %r0
            add %r1, 1
            jlt %r1, %r4, loop
            ldxw %r0, [%r3]
            exit
            """, size: 128) { [$0, 64, $0 + 64] }
        #expect(run.result.hasPrefix("r0 = "))
        #expect(jit.slowAccesses == 1, "only the load after the loop")
        #expect(jit.failedSlowGuards == 0)
    }

    @Test func storesIntoAReadOnlyRegionFailTheGuard() throws {
        let (jit, run) = try compare(
            """
            mov %r3, %r1
            add %r3, %r2
            loop:
            stb [%r1], 1
            add %r1, 1
            jlt %r1, %r3, loop
            exit
            """, permissions: .read) { [$0, 16] }
        #expect(run.result.contains("instruction 2") && run.result.contains("store"), "\(run.result)")
        #expect(jit.failedSlowGuards == 1)
    }

    @Test func aWalkOverTheStackUsesTheStackWindow() throws {
        let (jit, run) = try compare(
            """
            mov %r1, %r10
            sub %r1, 64
            mov %r2, %r10
            loop:
            stxdw [%r1], %r1
            ldxdw %r0, [%r1]
            sub %r0, %r10
            add %r1, 8
            jlt %r1, %r2, loop
            exit
            """) { _ in [] }
        #expect(run.result == "r0 = \(UInt64(bitPattern: -8))")
        #expect(jit.slowAccesses == 0 && jit.failedSlowGuards == 0)
    }

    @Test func aRevokedRegionFailsTheNextGuard() throws {
        let buffer = HostBuffer(64)
        let jit = try JITRunner(program: try Program(try Assembler.assemble(Self.checksum)))
        let id = jit.memory.grant(MemoryRegion(name: "buffer", buffer: buffer.memory))
        _ = try jit.run(buffer.address, 64)
        jit.memory.revoke(id)
        #expect(throws: RuntimeError.self) { try jit.run(buffer.address, 64) }
        jit.memory.grant(MemoryRegion(name: "smaller", base: buffer.address, size: 32, permissions: .read))
        let error = try #require(throws: RuntimeError.self) { try jit.run(buffer.address, 64) }
        #expect(error.index == 3)
        guard case .memoryViolation(let address, 2, .load, _) = error.reason else {
            Issue.record("\(error)")
            return
        }
        #expect(address == buffer.address + 32)
    }

    @Test func anInductionThatWouldWrapFailsTheGuard() throws {
        // r1 starts near the top of the address space: the bound arithmetic must not wrap into the region.
        let (jit, run) = try compare(Self.checksum) { _ in [UInt64.max - 3, 64] }
        #expect(run.result.contains("instruction 3"))
        #expect(jit.slowAccesses == 1)
    }

    @Test func accessesThroughAnInvariantBaseAreHoisted() throws {
        let (jit, _) = try compare(
            """
            mov %r0, 0
            mov %r3, 10
            loop:
            ldxdw %r4, [%r1+8]
            add %r0, %r4
            ldxw %r4, [%r1+60]
            add %r0, %r4
            stxb [%r1+3], %r3
            sub %r3, 1
            jne %r3, 0, loop
            exit
            """) { [$0] }
        #expect(jit.slowAccesses == 0 && jit.slowGuards == 3)
    }

    /// r1 = data, r2 = blocks of 16 bytes: the pointer steps alongside the index the back edge compares.
    static let blocks = """
        mov %r0, 0
        mov %r3, 0
        loop:
        ldxdw %r4, [%r1]
        add %r0, %r4
        ldxdw %r4, [%r1+8]
        add %r0, %r4
        add %r1, 16
        add %r3, 1
        jlt %r3, %r2, loop
        exit
        """

    @Test func aPointerWalkedAlongsideAnIndexIsHoisted() throws {
        let (jit, run) = try compare(Self.blocks) { [$0, 4] }
        #expect(run.result.hasPrefix("r0 = "))
        #expect(jit.slowGuards == 2 && jit.failedSlowGuards == 0)
        #expect(jit.slowAccesses == 0, "the checked copy ran")
        for blocks: UInt64 in [0, 1, 3] { try compare(Self.blocks) { [$0, blocks] } }
    }

    @Test func aPointerWalkedOneBlockTooFarStopsAtTheSameAccess() throws {
        let (jit, run) = try compare(Self.blocks) { [$0, 5] }
        #expect(run.result.contains("instruction 2"), "\(run.result)")
        #expect(jit.failedSlowGuards >= 1)
        try compare(Self.blocks, grantedBytes: 60) { [$0, 4] }
    }

    @Test func followersWithOtherStepsAndPathsKeepTheirBounds() throws {
        // The index steps by 4 (a shift in the guard); the pointer by 8 or 16, depending on the data.
        let source = """
            mov %r0, 0
            mov %r3, 0
            loop:
            ldxb %r4, [%r1]
            add %r0, %r4
            and %r4, 1
            jeq %r4, 0, even
            add %r1, 8
            even:
            add %r1, 8
            add %r3, 4
            jlt %r3, %r2, loop
            exit
            """
        for count: UInt64 in [4, 12, 16, 32, 64] { try compare(source, size: 128) { [$0, count] } }
        let (jit, _) = try compare(source, size: 128) { [$0, 28] }  // 7 iterations, at most 112 bytes
        #expect(jit.slowAccesses == 0 && jit.failedSlowGuards == 0)
    }

    @Test func aFollowerThatWouldWrapOrAnEndlessCountFailsTheGuard() throws {
        let (jit, run) = try compare(Self.blocks) { _ in [UInt64.max - 3, 4] }
        #expect(run.result.contains("instruction 2"))
        #expect(jit.failedSlowGuards == 0 && jit.slowAccesses >= 1, "the guard failed in the JIT code itself")
        let (endless, _) = try compare(Self.blocks) { [$0, 1 << 40] }
        #expect(endless.slowAccesses >= 1)
    }

    @Test func loopsWithCallsOrInnerLoopsAreNotGuarded() throws {
        let slots = { (source: String) throws -> [Slot] in
            BoundProgram(program: try Program(try Assembler.assemble(source)), functions: HostFunctions()).slots
        }
        let withCall = "mov %r2, 3\nloop:\nldxb %r0, [%r1]\ncall 1\nsub %r2, 1\njne %r2, 0, loop\nexit"
        let nested = """
            mov %r2, 3
            outer:
            mov %r3, 3
            inner:
            ldxb %r0, [%r1]
            sub %r3, 1
            jne %r3, 0, inner
            sub %r2, 1
            jne %r2, 0, outer
            exit
            """
        #expect(try LoopAnalysis(slots: slots(withCall), functionEntries: [0]).guardedLoops().isEmpty)
        let loops = try LoopAnalysis(slots: slots(nested), functionEntries: [0]).guardedLoops()
        #expect(loops.map(\.header) == [2], "only the inner loop")
    }
}
