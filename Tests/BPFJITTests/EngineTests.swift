import BPF
import BPFJIT
import Foundation
import Testing

/// The interpreter's behaviour, asserted for both engines through `ProgramRunner`: memory safety, control,
/// host calls, pseudo loads and entry points.
@Suite struct EngineMemorySafetyTests {
    @Test(arguments: engines) func loadPastTheEndOfARegionIsStopped(engine: ExecutionEngine) throws {
        let ctx = HostBuffer(16)
        let vm = try runner("ldxdw %r0, [%r1+8]\nldxdw %r0, [%r1+12]\nexit", on: engine)
        vm.memory.grant(MemoryRegion(name: "ctx", buffer: UnsafeRawBufferPointer(ctx.memory), permissions: .read))
        let error = try #require(failure(vm, ctx.address))
        #expect(error.index == 1)
        guard case .memoryViolation(let address, let size, let kind, let nearest) = error.reason else {
            Issue.record("wrong reason \(error)")
            return
        }
        #expect(address == ctx.address + 12)
        #expect(size == 8)
        #expect(kind == .load)
        #expect(nearest?.name == "ctx")
        #expect(vm.instructionsExecuted == 2)
    }

    @Test(arguments: engines) func exactBoundsAreAllowed(engine: ExecutionEngine) throws {
        let ctx = HostBuffer(12)
        ctx.memory.storeBytes(of: 0xdead_beef, toByteOffset: 8, as: UInt32.self)
        let vm = try runner("ldxw %r0, [%r1+8]\nldxb %r2, [%r1+11]\nexit", on: engine)
        vm.memory.grant(MemoryRegion(name: "ctx", buffer: UnsafeRawBufferPointer(ctx.memory), permissions: .read))
        #expect(try vm.run(ctx.address) == 0xdead_beef)
    }

    @Test(arguments: engines) func storeToReadOnlyRegionIsStopped(engine: ExecutionEngine) throws {
        let ctx = HostBuffer(64)
        let vm = try runner("stw [%r1+4], 1\nexit", on: engine)
        vm.memory.grant(MemoryRegion(name: "args", buffer: UnsafeRawBufferPointer(ctx.memory), permissions: .read))
        let error = try #require(failure(vm, ctx.address))
        guard case .memoryViolation(_, 4, .store, let nearest) = error.reason else {
            Issue.record("wrong reason \(error)")
            return
        }
        #expect(nearest?.name == "args")
        #expect(ctx.memory.load(fromByteOffset: 4, as: UInt32.self) == 0)
    }

    @Test(arguments: engines) func atomicsNeedReadWriteAndAlignment(engine: ExecutionEngine) throws {
        let buffer = HostBuffer(64)
        let readOnly = try runner("mov %r2, 1\nlock add [%r1], %r2\nexit", on: engine)
        readOnly.memory.grant(MemoryRegion(name: "ro", buffer: UnsafeRawBufferPointer(buffer.memory), permissions: .read))
        guard case .memoryViolation(_, 8, .atomic, _) = try #require(failure(readOnly, buffer.address)).reason else {
            Issue.record("expected atomic violation")
            return
        }
        let misaligned = try runner("mov %r2, 1\nlock add32 [%r1+2], %r2\nexit", on: engine)
        misaligned.memory.grant(MemoryRegion(name: "rw", buffer: buffer.memory))
        let error = try #require(failure(misaligned, buffer.address))
        guard case .misalignedAtomic(let address, 4) = error.reason else {
            Issue.record("expected misaligned atomic, got \(error)")
            return
        }
        #expect(address == buffer.address + 2)
        #expect(error.index == 1)
    }

    @Test(arguments: engines) func nullAndWildPointersAreStopped(engine: ExecutionEngine) throws {
        let vm = try runner("ldxb %r0, [%r1]\nexit", on: engine)
        guard case .memoryViolation(0, 1, .load, let nearest) = try #require(failure(vm, 0)).reason else {
            Issue.record("expected violation")
            return
        }
        #expect(nearest?.name == "stack")
        #expect(failure(vm, UInt64.max) != nil)
        #expect(failure(vm, UInt64.max - 3) != nil)
    }

    @Test(arguments: engines) func stackIs512BytesPerFrame(engine: ExecutionEngine) throws {
        #expect(try runner("stdw [%r10-512], 7\nldxdw %r0, [%r10-512]\nexit", on: engine).run() == 7)
        let below = try #require(failure(try runner("ldxdw %r0, [%r10-520]\nexit", on: engine)))
        guard case .memoryViolation(_, 8, .load, let nearest) = below.reason else {
            Issue.record("expected violation")
            return
        }
        #expect(nearest?.name == "stack")
        #expect(failure(try runner("stxdw [%r10], %r1\nexit", on: engine)) != nil)
        #expect(failure(try runner("stxb [%r10-513], %r1\nexit", on: engine)) != nil)
        #expect(failure(try runner("stxdw [%r10-4], %r1\nexit", on: engine)) != nil)
    }

    @Test(arguments: engines) func calleeHasItsOwnFrameAndMayUseCallerStackPointers(engine: ExecutionEngine) throws {
        let vm = try runner(
            """
            stdw [%r10-8], 42
            mov %r1, %r10
            sub %r1, 8
            call local f
            ldxdw %r1, [%r10-8]
            add %r0, %r1
            exit
            f:
            stdw [%r10-8], 1000
            ldxdw %r0, [%r1]
            ldxdw %r2, [%r10+504]
            add %r0, %r2
            exit
            """, on: engine)
        #expect(try vm.run() == 126)
    }

    /// After a return, the callee's frame is no longer part of the stack window.
    @Test(arguments: engines) func deadFramesAreNotAccessible(engine: ExecutionEngine) throws {
        let vm = try runner(
            """
            call local f
            stdw [%r0], 1
            exit
            f:
            mov %r0, %r10
            sub %r0, 8
            stdw [%r0], 2
            exit
            """, on: engine)
        let error = try #require(failure(vm))
        #expect(error.index == 1)
        guard case .memoryViolation(_, 8, .store, _) = error.reason else {
            Issue.record("expected violation, got \(error)")
            return
        }
    }

    @Test(arguments: engines) func regionsCanBeRevokedBetweenRuns(engine: ExecutionEngine) throws {
        let buffer = HostBuffer(8)
        buffer.memory.storeBytes(of: 5, as: UInt64.self)
        let vm = try runner("ldxdw %r0, [%r1]\nexit", on: engine)
        let id = vm.memory.grant(name: "value", base: buffer.address, size: 8, permissions: .read)
        #expect(try vm.run(buffer.address) == 5)
        #expect(vm.memory.revoke(id)?.name == "value")
        #expect(failure(vm, buffer.address) != nil)
    }

    @Test(arguments: engines) func regionRevokedByAHostCallIsNoLongerAccessible(engine: ExecutionEngine) throws {
        let buffer = HostBuffer(64)
        let memory = MemoryMap()
        let id = memory.grant(MemoryRegion(name: "ring", buffer: buffer.memory))
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "unmap") { call in
            call.memory.revoke(id)
            return 0
        }
        let vm = try runner(
            "mov %r6, %r1\nldxdw %r0, [%r6]\ncall 1\nldxdw %r0, [%r6]\nexit", on: engine, functions: functions,
            memory: memory)
        let error = try #require(failure(vm, buffer.address))
        #expect(error.index == 3)
    }

    /// One instruction alternating between two regions keeps working (its window follows the last region).
    @Test(arguments: engines) func oneInstructionOverSeveralRegions(engine: ExecutionEngine) throws {
        let a = HostBuffer(64), b = HostBuffer(64)
        let memory = MemoryMap()
        memory.grant(MemoryRegion(name: "a", buffer: a.memory))
        memory.grant(MemoryRegion(name: "b", buffer: b.memory))
        let vm = try runner(
            """
            mov %r3, 0
            mov %r0, 0
            loop:
            mov %r4, %r1
            jset %r3, 1, odd
            mov %r4, %r2
            odd:
            mov %r5, %r10
            jset %r3, 2, stack
            mov %r5, %r4
            stack:
            stxdw [%r5-8], %r3
            ldxdw %r6, [%r5-8]
            add %r0, %r6
            add %r3, 1
            jlt %r3, 100, loop
            exit
            """, on: engine, memory: memory)
        #expect(try vm.run(a.address + 64, b.address + 8) == 4950)
    }
}

@Suite struct EngineControlTests {
    @Test(arguments: engines) func recursionOverflowsTheCallStack(engine: ExecutionEngine) throws {
        let vm = try runner("call local f\nexit\nf:\nadd %r0, 1\ncall local f\nexit", on: engine)
        let error = try #require(failure(vm))
        guard case .callDepthExceeded(8) = error.reason else {
            Issue.record("expected call depth error, got \(error)")
            return
        }
        #expect(error.index == 3)
    }

    @Test(arguments: engines) func sevenNestedCallsAreAllowed(engine: ExecutionEngine) throws {
        var source = "mov %r0, 0\ncall local f1\nexit\n"
        for i in 1...7 { source += "f\(i):\nadd %r0, 1\n" + (i < 7 ? "call local f\(i + 1)\n" : "") + "exit\n" }
        #expect(try runner(source, on: engine).run() == 7)
    }

    @Test(arguments: engines) func callsRestoreR6ToR9(engine: ExecutionEngine) throws {
        let vm = try runner(
            """
            mov %r6, 6
            mov %r7, 7
            mov %r8, 8
            mov %r9, 9
            call local f
            add %r0, %r6
            add %r0, %r7
            add %r0, %r8
            add %r0, %r9
            exit
            f:
            mov %r6, 100
            mov %r7, 100
            mov %r8, 100
            mov %r9, 100
            mov %r0, 1000
            exit
            """, on: engine)
        #expect(try vm.run() == 1030)
    }

    @Test(arguments: engines) func endlessLoopExhaustsTheBudget(engine: ExecutionEngine) throws {
        let vm = try runner("mov %r0, 0\nloop:\nadd %r0, 1\nja loop\nexit", on: engine)
        vm.instructionBudget = 1_000_000
        let error = try #require(failure(vm))
        guard case .budgetExhausted(1_000_000) = error.reason else {
            Issue.record("expected budget error, got \(error)")
            return
        }
        #expect(error.index == 2)
        #expect(vm.instructionsExecuted >= 1_000_000 && vm.instructionsExecuted < 1_000_010)
    }

    @Test(arguments: engines) func endlessRecursionThroughCallsIsStoppedToo(engine: ExecutionEngine) throws {
        let vm = try runner("loop:\ncall local f\nja loop\nexit\nf:\nexit", on: engine)
        vm.instructionBudget = 10_000
        guard case .budgetExhausted = try #require(failure(vm)).reason else {
            Issue.record("expected budget error")
            return
        }
    }

    @Test(arguments: engines) func cancellationStopsARunFromAnotherThread(engine: ExecutionEngine) throws {
        let vm = try runner("loop:\nja loop\nexit", on: engine)
        vm.instructionBudget = .max
        let flag = vm.cancellation
        // A thread of its own: the test's cases spin on the few cooperative threads meanwhile.
        Thread.detachNewThread {
            usleep(50_000)
            flag.cancel()
        }
        let error = try #require(failure(vm))
        guard case .cancelled = error.reason else {
            Issue.record("expected cancellation, got \(error)")
            return
        }
        #expect(error.index == 0)
        vm.instructionBudget = 1000
        guard case .budgetExhausted = try #require(failure(vm)).reason else {
            Issue.record("expected budget error")
            return
        }
    }

    @Test(arguments: engines) func repeatedRunsStartClean(engine: ExecutionEngine) throws {
        let vm = try runner("ldxdw %r0, [%r10-8]\nadd %r0, %r1\nstxdw [%r10-8], %r0\nexit", on: engine)
        for i in 1...1000 { _ = try vm.run(UInt64(i)) }
        #expect(vm.instructionsExecuted == 4)
        #expect(try vm.run(0) == 500_500)
    }

    @Test(arguments: engines) func instructionsAreCountedAsTheInterpreterCounts(engine: ExecutionEngine) throws {
        let vm = try runner(
            """
            mov %r0, 0
            lddw %r2, 0x100000000
            loop:
            add %r0, 1
            jeq %r0, 3, skip
            mov %r3, 1
            skip:
            call local f
            jlt %r0, 10, loop
            exit
            f:
            add %r0, 1
            exit
            """, on: engine)
        #expect(try vm.run() == 10)
        #expect(vm.instructionsExecuted == 38)
    }

    @Test(arguments: engines) func runsACalledFunctionDirectly(engine: ExecutionEngine) throws {
        let vm = try runner("mov %r1, 5\ncall local f\nexit\nf:\nmov %r0, %r1\nadd %r0, 1\nexit", on: engine)
        #expect(try vm.run() == 6)
        #expect(try vm.run(entry: 3, 41) == 42)
        #expect(throws: RuntimeError.self) { try vm.run(entry: 4) }
    }
}

@Suite struct EngineHostCallTests {
    @Test(arguments: engines) func helperGetsArgumentsAndReturnsR0(engine: ExecutionEngine) throws {
        var functions = HostFunctions()
        functions.registerHelper(id: 3, name: "sum") { call in
            call.r1 + call.r2 * 10 + call.r3 * 100 + call.r4 * 1000 + call.r5 * 10000
        }
        let vm = try runner(
            "mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 3\nadd %r0, %r1\nexit", on: engine,
            functions: functions)
        #expect(try vm.run() == 54322)
    }

    @Test(arguments: engines) func callxDispatchesByRegister(engine: ExecutionEngine) throws {
        var functions = HostFunctions()
        functions.registerHelper(id: 9, name: "nine") { _ in 9 }
        #expect(try runner("mov %r2, 9\ncall %r2\nexit", on: engine, functions: functions).run() == 9)
        let error = try #require(failure(try runner("mov %r2, 8\ncall %r2\nexit", on: engine, functions: functions)))
        guard case .unknownHelper(8) = error.reason else {
            Issue.record("expected unknown helper, got \(error)")
            return
        }
        #expect(error.index == 1)
    }

    @Test(arguments: engines) func unboundCallsAreErrors(engine: ExecutionEngine) throws {
        let error = try #require(failure(try runner("mov %r0, 0\ncall 99\nexit", on: engine)))
        #expect(error.description == "runtime error at instruction 1: call to unknown helper 99")
        var program = try Program(try Assembler.assemble("call kfunc 77\nexit"))
        try program.bindKfunc(at: 0, name: "bpf_missing")
        guard case .unknownKfunc("bpf_missing", 77) = try #require(failure(runner(program, on: engine))).reason else {
            Issue.record("expected named unknown kfunc")
            return
        }
    }

    @Test(arguments: engines) func kfuncsBindByInstructionNameOrByBTFID(engine: ExecutionEngine) throws {
        var functions = HostFunctions()
        functions.registerKfunc(name: "bpf_io_uring_submit_sqes") { call in call.r2 + 1 }
        functions.registerKfunc(name: "by_id", btfID: 4242) { _ in 100 }
        var program = try Program(
            try Assembler.assemble("mov %r2, 6\ncall kfunc 1\nmov %r6, %r0\ncall kfunc 4242\nadd %r0, %r6\nexit"))
        try program.bindKfunc(at: 1, name: "bpf_io_uring_submit_sqes")
        #expect(try runner(program, on: engine, functions: functions).run() == 107)
    }

    @Test(arguments: engines) func hostFunctionErrorsStopTheRunAndKeepTheirType(engine: ExecutionEngine) throws {
        var functions = HostFunctions()
        functions.registerHelper(id: 2, name: "failing") { _ in throw TestFailure(code: 7) }
        let vm = try runner("mov %r0, 1\ncall 2\nmov %r0, 2\nexit", on: engine, functions: functions)
        let error = try #require(failure(vm))
        #expect(error.index == 1)
        guard case .hostFunctionFailed("failing", let underlying) = error.reason else {
            Issue.record("expected host failure, got \(error)")
            return
        }
        #expect(underlying as? TestFailure == TestFailure(code: 7))
    }

    @Test(arguments: engines) func hostFunctionCanStopTheRun(engine: ExecutionEngine) throws {
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "stop") { call in
            call.stopRun()
            return 77
        }
        let vm = try runner("mov %r0, 5\ncall 1\nmov %r0, 1\nexit", on: engine, functions: functions)
        #expect(try vm.run() == 77)
        #expect(vm.instructionsExecuted == 2)
    }

    /// A stop requested inside a local call ends the whole run.
    @Test(arguments: engines) func stopInsideALocalCallEndsTheRun(engine: ExecutionEngine) throws {
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "stop") { call in
            call.stopRun()
            return 5
        }
        let vm = try runner("call local f\nmov %r0, 1\nexit\nf:\ncall local g\nexit\ng:\ncall 1\nexit", on: engine,
                            functions: functions)
        #expect(try vm.run() == 5)
        #expect(try vm.run() == 5)
    }

    @Test(arguments: engines) func kfuncGrantsARegionDuringTheRun(engine: ExecutionEngine) throws {
        let region = HostBuffer(256)
        var functions = HostFunctions()
        functions.registerKfunc(name: "get_region") { call in
            call.memory.grant(MemoryRegion(name: "region \(call.r1)", buffer: region.memory))
            return region.address
        }
        var program = try Program(
            try Assembler.assemble("mov %r1, 1\ncall kfunc 0\nstdw [%r0+248], 99\nldxdw %r0, [%r0+248]\nexit"))
        try program.bindKfunc(at: 1, name: "get_region")
        #expect(try runner(program, on: engine, functions: functions).run() == 99)
        #expect(region.memory.load(fromByteOffset: 248, as: UInt64.self) == 99)
    }

    @Test(arguments: engines) func unresolvedPseudoLoadRefusesToRun(engine: ExecutionEngine) throws {
        let slots = [Instruction(opcode: 0xb7, dst: 0)] + Instruction.loadImmediate64(dst: 1, 3, kind: .mapValue)
            + [Instruction(opcode: 0x79, dst: 0, src: 1), Instruction(opcode: ISA.exit)]
        var program = try Program(slots)
        let error = try #require(failure(runner(program, on: engine)))
        guard case .unresolvedPseudoLoad(.mapValue, 3) = error.reason else {
            Issue.record("expected unresolved pseudo load, got \(error)")
            return
        }
        let value = HostBuffer(8)
        value.memory.storeBytes(of: 123, as: UInt64.self)
        try program.resolvePseudoLoad(at: 1, to: value.address)
        let vm = runner(program, on: engine)
        vm.memory.grant(name: "map value", base: value.address, size: 8, permissions: .readWrite)
        #expect(try vm.run() == 123)
    }
}

/// Two runners sharing a memory map, as a loop and its `bpf_loop` callback runner do, on every pair of engines:
/// a region one of them revokes (from inside a host call of the other) is no longer reachable by either, even
/// though both used it.
@Suite struct EngineSharedMemoryTests {
    final class Shared {
        var id: RegionID?
        var inner: ProgramRunner?
    }

    static let pairs = ExecutionEngine.allCases.flatMap { outer in ExecutionEngine.allCases.map { (outer, $0) } }

    @Test(arguments: pairs) func aRegionRevokedThroughASecondRunnerIsStopped(outer: ExecutionEngine, inner: ExecutionEngine) throws {
        let region = HostBuffer(64)
        let memory = MemoryMap()
        let shared = Shared()
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "get") { call in
            shared.id = call.memory.grant(MemoryRegion(name: "region", buffer: region.memory))
            return region.address
        }
        functions.registerHelper(id: 2, name: "loop") { call in try shared.inner!.run(call.r1) }
        functions.registerHelper(id: 3, name: "put") { call in
            call.memory.revoke(shared.id!)
            return 0
        }
        shared.inner = try runner(
            "mov %r6, %r1\nldxdw %r0, [%r6]\nstdw [%r6+8], 9\ncall 3\nexit", on: inner, functions: functions,
            memory: memory)
        defer { shared.inner = nil }  // the inner runner's host functions hold `shared`: break the cycle
        let outerRunner = try runner(
            "call 1\nmov %r6, %r0\nstdw [%r6], 4\nmov %r1, %r6\ncall 2\nldxdw %r0, [%r6+8]\nexit", on: outer,
            functions: functions, memory: memory)
        let error = try #require(failure(outerRunner))
        #expect(error.index == 5)
        guard case .memoryViolation(let address, 8, .load, _) = error.reason else {
            Issue.record("\(error)")
            return
        }
        #expect(address == region.address + 8)
        #expect(region.memory.load(fromByteOffset: 8, as: UInt64.self) == 9)
        #expect(memory.regions.isEmpty)
        // The inner runner used the region in its last run; its next run must not reach it.
        #expect(failure(shared.inner!, region.address)?.index == 1)
    }
}
