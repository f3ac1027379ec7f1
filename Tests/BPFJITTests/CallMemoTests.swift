import BPF
@testable import BPFJIT
import Testing

/// Cacheable kfuncs (`registerKfunc(cacheableOn:)`): both engines answer a repeated call at one instruction from
/// its memo while the arguments and the memory map are unchanged, and call again otherwise, with equal results.
@Suite struct CallMemoTests {
    /// A kfunc answering r2 * 1000 + r3, counting its calls; helper 9 grants a new (empty) region, which moves
    /// the memory map's generation.
    final class Host {
        var calls = 0
        var functions = HostFunctions()
        init() {
            functions.registerKfunc(name: "region", cacheableOn: 3) { [unowned self] call in
                calls += 1
                return call.r2 &* 1000 &+ call.r3
            }
            functions.registerHelper(id: 9, name: "grant") { call in
                call.memory.grant(MemoryRegion(name: "grant", base: 0x1000_0000 + call.r1 * 0x1000, size: 16, permissions: .read))
                return 0
            }
        }
    }

    /// r6 counts 4 iterations; each asks `region(ctx, 2, r7)`; r7 is r2 (fixed) or the iteration (changing);
    /// with r3 = 1 the loop also grants a region every iteration. Returns the sum of the answers.
    func program(changingArgument: Bool, grantEachTime: Bool) throws -> Program {
        var source = """
            mov %r8, %r1
            mov %r9, 0
            mov %r6, 0
            loop:
            mov %r1, %r8
            mov %r2, 2
            \(changingArgument ? "mov %r3, %r6" : "mov %r3, 7")
            call kfunc 0
            add %r9, %r0
            """
        if grantEachTime { source += "\nmov %r1, %r6\ncall 9" }
        source += "\nadd %r6, 1\njlt %r6, 4, loop\nmov %r0, %r9\nexit"
        var program = try Program(try Assembler.assemble(source))
        try program.bindKfunc(at: 6, name: "region")
        return program
    }

    func calls(_ program: Program, on engine: ExecutionEngine, runs: Int = 1) throws -> (r0: UInt64, calls: Int) {
        let host = Host()
        let r = runner(program, on: engine, functions: host.functions)
        var r0: UInt64 = 0
        for _ in 0..<runs { r0 = try r.run(0x42) }
        return (r0, host.calls)
    }

    @Test func repeatedCallsWithTheSameArgumentsAreAnsweredFromTheMemo() throws {
        let p = try program(changingArgument: false, grantEachTime: false)
        let jit = try calls(p, on: .jit, runs: 3), interpreter = try calls(p, on: .interpreter, runs: 3)
        #expect(jit.r0 == 4 * 2007 && interpreter.r0 == jit.r0)
        #expect(jit.calls == 1 && interpreter.calls == 1, "one call for 3 runs of 4 iterations")
    }

    @Test func otherArgumentsOrAMovedMemoryMapCallAgain() throws {
        for (changing, granting) in [(true, false), (false, true), (true, true)] {
            let p = try program(changingArgument: changing, grantEachTime: granting)
            let jit = try calls(p, on: .jit), interpreter = try calls(p, on: .interpreter)
            #expect(jit.r0 == interpreter.r0)
            #expect(jit.calls == 4 && interpreter.calls == 4, "changing: \(changing), granting: \(granting)")
        }
    }

    @Test(arguments: [ExecutionEngine.jit, .interpreter])
    func aChangeToTheMapBetweenRunsEmptiesTheMemo(engine: ExecutionEngine) throws {
        let host = Host()
        let memory = MemoryMap()
        let r = runner(try program(changingArgument: false, grantEachTime: false), on: engine, functions: host.functions, memory: memory)
        _ = try r.run(0x42)
        _ = try r.run(0x42)
        #expect(host.calls == 1)
        let id = memory.grant(MemoryRegion(name: "between runs", base: 0x2000_0000, size: 16, permissions: .read))
        _ = try r.run(0x42)
        #expect(host.calls == 2)
        memory.revoke(id)
        _ = try r.run(0x42)
        #expect(host.calls == 3)
    }

    @Test(arguments: [ExecutionEngine.jit, .interpreter])
    func aFailedCallLeavesNoMemo(engine: ExecutionEngine) throws {
        var failing = HostFunctions()
        var calls = 0
        failing.registerKfunc(name: "region", cacheableOn: 3) { _ in
            calls += 1
            throw TestFailure(code: 1)
        }
        let r = runner(try program(changingArgument: false, grantEachTime: false), on: engine, functions: failing)
        #expect(failure(r, 0x42)?.index == 6)
        #expect(failure(r, 0x42)?.index == 6)
        #expect(calls == 2)
    }
}
