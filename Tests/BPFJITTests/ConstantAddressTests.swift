import BPF
@testable import BPFJIT
import Testing

/// Accesses through an address an `lddw` loaded (`ConstantAddresses`): after the first access under a memory
/// map generation, the JIT tests a flag instead of the range, and must still stop exactly where the interpreter
/// does when the address is outside the region, or when the region was revoked between runs or by a host call.
@Suite struct ConstantAddressTests {
    /// Helper 9 revokes the region granted as `revoke`.
    final class Host {
        var functions = HostFunctions()
        var revoke: (MemoryMap, RegionID)?
        init() {
            functions.registerHelper(id: 9, name: "revoke") { [unowned self] call in
                if let (map, id) = revoke { map.revoke(id) }
                return 0
            }
        }
    }

    /// `counter += 1` at `address + offset` (a global's increment as clang compiles it), then the same after a
    /// call to helper 9; returns the counter.
    func program(_ address: UInt64, offset: Int) throws -> Program {
        let at = offset < 0 ? "\(offset)" : "+\(offset)"
        return try Program(try Assembler.assemble("""
            lddw %r1, \(address)
            ldxw %r2, [%r1\(at)]
            add %r2, 1
            stxw [%r1\(at)], %r2
            call 9
            lddw %r1, \(address)
            add %r1, \(offset)
            ldxw %r0, [%r1]
            add %r0, 1
            stxw [%r1], %r0
            exit
            """))
    }

    struct Outcome: Equatable {
        var results: [String]
        var counts: [UInt64]
    }

    /// Runs `program` `runs` times on `engine` with a fresh 16-byte buffer; `revokeAfter` revokes the buffer's
    /// region after that many runs, `revokeInCall` has helper 9 revoke it during the last run.
    func outcome(
        offset: Int, on engine: ExecutionEngine, runs: Int = 3, revokeAfter: Int? = nil, revokeInCall: Bool = false
    ) throws -> (Outcome, ProgramRunner) {
        let buffer = HostBuffer(16)
        let host = Host()
        let r = runner(try program(buffer.address, offset: offset), on: engine, functions: host.functions)
        let id = r.memory.grant(MemoryRegion(name: "globals", buffer: buffer.memory))
        var outcome = Outcome(results: [], counts: [])
        for run in 0..<runs {
            if run == revokeAfter { r.memory.revoke(id) }
            if revokeInCall && run == runs - 1 { host.revoke = (r.memory, id) }
            do {
                outcome.results.append("r0 = \(try r.run())")
            } catch {
                // The engines' buffers differ: name the faulting address relative to their own.
                let text = "\(error)".split(separator: " (nearest").first.map(String.init) ?? ""
                let address = "0x" + String(buffer.address &+ UInt64(bitPattern: Int64(offset)), radix: 16)
                outcome.results.append(text.replacingOccurrences(of: address, with: "buffer\(offset)"))
            }
            outcome.counts.append(r.instructionsExecuted)
        }
        return (outcome, r)
    }

    @Test func anAccessInsideTheRegionAsksSwiftOncePerGeneration() throws {
        let (jit, runner) = try outcome(offset: 4, on: .jit)
        let (interpreter, _) = try outcome(offset: 4, on: .interpreter)
        #expect(jit == interpreter)
        #expect(jit.results.last == "r0 = 6")
        #expect(runner.jitRunner?.slowAccesses == 4, "four sites, each once, over three runs")
    }

    @Test func anAccessPastTheRegionStopsWhereTheInterpreterDoes() throws {
        for offset in [13, 16, -4] {
            let (jit, _) = try outcome(offset: offset, on: .jit)
            let (interpreter, _) = try outcome(offset: offset, on: .interpreter)
            #expect(jit == interpreter, "offset \(offset)")
            #expect(jit.results.allSatisfy { $0.contains("instruction 2") }, "\(jit.results)")
        }
    }

    @Test func aRegionRevokedBetweenRunsOrByAHostCallIsNoLongerReachable() throws {
        let (jit, _) = try outcome(offset: 4, on: .jit, revokeAfter: 2)
        let (interpreter, _) = try outcome(offset: 4, on: .interpreter, revokeAfter: 2)
        #expect(jit == interpreter)
        #expect(jit.results.last?.contains("instruction 2") == true, "\(jit.results)")
        let (jitInCall, _) = try outcome(offset: 4, on: .jit, revokeInCall: true)
        let (interpreterInCall, _) = try outcome(offset: 4, on: .interpreter, revokeInCall: true)
        #expect(jitInCall == interpreterInCall)
        #expect(jitInCall.results.last?.contains("instruction 9") == true, "\(jitInCall.results)")
    }

    @Test func onlyAddressesKnownOnEveryPathAreConstant() throws {
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "nothing") { _ in 0 }
        let slots = BoundProgram(program: try Program(try Assembler.assemble("""
            lddw %r1, 0x1000
            ldxw %r0, [%r1]
            jeq %r0, 0, join
            lddw %r1, 0x2000
            join:
            ldxw %r0, [%r1]
            lddw %r2, 0x3000
            add %r2, 8
            ldxw %r0, [%r2]
            call 1
            ldxw %r0, [%r2]
            lddw %r6, 0x4000
            call 1
            ldxw %r0, [%r6+4]
            exit
            """)), functions: functions).slots
        // Not the load after the join (two values flow in), nor through r2 after a call clobbered it.
        #expect(ConstantAddresses.find(slots, functionEntries: [0]) == [2: 0x1000, 10: 0x3008, 16: 0x4000])
    }
}
