import BPF
import Dispatch
import Testing

/// A host-owned buffer for tests.
final class HostBuffer {
    let memory: UnsafeMutableRawBufferPointer
    init(_ size: Int) {
        memory = .allocate(byteCount: size, alignment: 16)
        memory.initializeMemory(as: UInt8.self, repeating: 0)
    }
    deinit { memory.deallocate() }
    var address: UInt64 { UInt64(UInt(bitPattern: memory.baseAddress)) }
}

struct TestFailure: Error, Equatable {
    var code: Int
}

func interpreter(_ source: String, functions: HostFunctions = HostFunctions()) throws -> Interpreter {
    Interpreter(program: try Program(try Assembler.assemble(source)), functions: functions)
}

/// Runs and returns the runtime error (or nil).
func failure(_ interpreter: Interpreter, _ r1: UInt64 = 0, _ r2: UInt64 = 0) -> RuntimeError? {
    do {
        _ = try interpreter.run(r1, r2)
        return nil
    } catch {
        return error
    }
}

@Suite struct MemorySafetyTests {
    @Test func loadPastTheEndOfARegionIsStopped() throws {
        let ctx = HostBuffer(16)
        let vm = try interpreter("ldxdw %r0, [%r1+8]\nldxdw %r0, [%r1+12]\nexit")
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
        #expect(error.description.contains("instruction 1"))
        #expect(error.description.contains("out-of-bounds 8-byte load at 0x"))
        #expect(error.description.contains("ctx"))
    }

    @Test func exactBoundsAreAllowed() throws {
        let ctx = HostBuffer(12)
        ctx.memory.storeBytes(of: 0xdead_beef, toByteOffset: 8, as: UInt32.self)
        let vm = try interpreter("ldxw %r0, [%r1+8]\nldxb %r2, [%r1+11]\nexit")
        vm.memory.grant(MemoryRegion(name: "ctx", buffer: UnsafeRawBufferPointer(ctx.memory), permissions: .read))
        #expect(try vm.run(ctx.address) == 0xdead_beef)
    }

    @Test func storeToReadOnlyRegionIsStopped() throws {
        let ctx = HostBuffer(64)
        let vm = try interpreter("stw [%r1+4], 1\nexit")
        vm.memory.grant(MemoryRegion(name: "args", buffer: UnsafeRawBufferPointer(ctx.memory), permissions: .read))
        let error = try #require(failure(vm, ctx.address))
        guard case .memoryViolation(_, 4, .store, let nearest) = error.reason else {
            Issue.record("wrong reason \(error)")
            return
        }
        #expect(nearest?.name == "args")
        #expect(ctx.memory.load(fromByteOffset: 4, as: UInt32.self) == 0)
    }

    @Test func atomicsNeedReadWriteAndAlignment() throws {
        let buffer = HostBuffer(64)
        let readOnly = try interpreter("mov %r2, 1\nlock add [%r1], %r2\nexit")
        readOnly.memory.grant(MemoryRegion(name: "ro", buffer: UnsafeRawBufferPointer(buffer.memory), permissions: .read))
        guard case .memoryViolation(_, 8, .atomic, _) = try #require(failure(readOnly, buffer.address)).reason else {
            Issue.record("expected atomic violation")
            return
        }
        let misaligned = try interpreter("mov %r2, 1\nlock add32 [%r1+2], %r2\nexit")
        misaligned.memory.grant(MemoryRegion(name: "rw", buffer: buffer.memory))
        let error = try #require(failure(misaligned, buffer.address))
        guard case .misalignedAtomic(let address, 4) = error.reason else {
            Issue.record("expected misaligned atomic, got \(error)")
            return
        }
        #expect(address == buffer.address + 2)
        #expect(error.index == 1)
    }

    @Test func nullAndWildPointersAreStopped() throws {
        let vm = try interpreter("ldxb %r0, [%r1]\nexit")
        guard case .memoryViolation(0, 1, .load, let nearest) = try #require(failure(vm, 0)).reason else {
            Issue.record("expected violation")
            return
        }
        #expect(nearest?.name == "stack")
        #expect(failure(vm, UInt64.max) != nil)
        #expect(failure(vm, UInt64.max - 3) != nil)
    }

    @Test func stackIs512BytesPerFrame() throws {
        #expect(try interpreter("stdw [%r10-512], 7\nldxdw %r0, [%r10-512]\nexit").run() == 7)
        let below = try #require(failure(try interpreter("ldxdw %r0, [%r10-520]\nexit")))
        guard case .memoryViolation(_, 8, .load, let nearest) = below.reason else {
            Issue.record("expected violation")
            return
        }
        #expect(nearest?.name == "stack")
        #expect(failure(try interpreter("stxdw [%r10], %r1\nexit")) != nil)
        #expect(failure(try interpreter("stxb [%r10-513], %r1\nexit")) != nil)
    }

    @Test func calleeHasItsOwnFrameAndMayUseCallerStackPointers() throws {
        let vm = try interpreter(
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
            exit
            """)
        #expect(try vm.run() == 84)
    }

    @Test func regionsCanBeRevokedBetweenRuns() throws {
        let buffer = HostBuffer(8)
        buffer.memory.storeBytes(of: 5, as: UInt64.self)
        let vm = try interpreter("ldxdw %r0, [%r1]\nexit")
        let id = vm.memory.grant(name: "value", base: buffer.address, size: 8, permissions: .read)
        #expect(try vm.run(buffer.address) == 5)
        #expect(vm.memory.revoke(id)?.name == "value")
        #expect(failure(vm, buffer.address) != nil)
        #expect(vm.memory.regions.isEmpty)
    }

    @Test func regionRevokedByAHostCallIsNoLongerAccessible() throws {
        let buffer = HostBuffer(64)
        let memory = MemoryMap()
        let id = memory.grant(MemoryRegion(name: "ring", buffer: buffer.memory))
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "unmap") { call in
            call.memory.revoke(id)
            return 0
        }
        let program = try Program(
            try Assembler.assemble("mov %r6, %r1\nldxdw %r0, [%r6]\ncall 1\nldxdw %r0, [%r6]\nexit"))
        let vm = Interpreter(program: program, functions: functions, memory: memory)
        let error = try #require(failure(vm, buffer.address))
        #expect(error.index == 3)
    }
}

@Suite struct ControlTests {
    @Test func recursionOverflowsTheCallStack() throws {
        let vm = try interpreter("call local f\nexit\nf:\nadd %r0, 1\ncall local f\nexit")
        let error = try #require(failure(vm))
        guard case .callDepthExceeded(8) = error.reason else {
            Issue.record("expected call depth error, got \(error)")
            return
        }
        #expect(error.index == 3)
    }

    @Test func sevenNestedCallsAreAllowed() throws {
        var source = "mov %r0, 0\ncall local f1\nexit\n"
        for i in 1...7 { source += "f\(i):\nadd %r0, 1\n" + (i < 7 ? "call local f\(i + 1)\n" : "") + "exit\n" }
        #expect(try interpreter(source).run() == 7)
    }

    @Test func endlessLoopExhaustsTheBudget() throws {
        let vm = try interpreter("mov %r0, 0\nloop:\nadd %r0, 1\nja loop\nexit")
        vm.instructionBudget = 1_000_000
        let error = try #require(failure(vm))
        guard case .budgetExhausted(1_000_000) = error.reason else {
            Issue.record("expected budget error, got \(error)")
            return
        }
        #expect(error.index == 2)
        #expect(vm.instructionsExecuted >= 1_000_000 && vm.instructionsExecuted < 1_000_010)
    }

    @Test func endlessRecursionThroughCallsIsStoppedToo() throws {
        // Calls and returns in a loop: the budget is checked on calls as well as jumps.
        let vm = try interpreter("loop:\ncall local f\nja loop\nexit\nf:\nexit")
        vm.instructionBudget = 10_000
        guard case .budgetExhausted = try #require(failure(vm)).reason else {
            Issue.record("expected budget error")
            return
        }
    }

    @Test func cancellationStopsARunFromAnotherThread() throws {
        let vm = try interpreter("loop:\nja loop\nexit")
        vm.instructionBudget = .max
        let flag = vm.cancellation
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { flag.cancel() }
        let error = try #require(failure(vm))
        guard case .cancelled = error.reason else {
            Issue.record("expected cancellation, got \(error)")
            return
        }
        #expect(error.index == 0)
        // The flag is cleared at the next run.
        vm.instructionBudget = 1000
        guard case .budgetExhausted = try #require(failure(vm)).reason else {
            Issue.record("expected budget error")
            return
        }
    }

    @Test func repeatedRunsStartClean() throws {
        let vm = try interpreter("ldxdw %r0, [%r10-8]\nadd %r0, %r1\nstxdw [%r10-8], %r0\nexit")
        for i in 1...1000 { _ = try vm.run(UInt64(i)) }
        #expect(vm.instructionsExecuted == 4)
    }
}

@Suite struct HostCallTests {
    @Test func helperGetsArgumentsAndReturnsR0() throws {
        var functions = HostFunctions()
        functions.registerHelper(id: 3, name: "sum") { call in call.r1 + call.r2 * 10 + call.r3 * 100 + call.r4 * 1000 + call.r5 * 10000 }
        let vm = try interpreter(
            "mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 3\nexit", functions: functions)
        #expect(try vm.run() == 54321)
    }

    @Test func callxDispatchesByRegister() throws {
        var functions = HostFunctions()
        functions.registerHelper(id: 9, name: "nine") { _ in 9 }
        #expect(try interpreter("mov %r2, 9\ncall %r2\nexit", functions: functions).run() == 9)
        let error = try #require(failure(try interpreter("mov %r2, 8\ncall %r2\nexit", functions: functions)))
        guard case .unknownHelper(8) = error.reason else {
            Issue.record("expected unknown helper, got \(error)")
            return
        }
        #expect(error.index == 1)
    }

    @Test func unknownHelperIsAnError() throws {
        let error = try #require(failure(try interpreter("mov %r0, 0\ncall 99\nexit")))
        #expect(error.index == 1)
        guard case .unknownHelper(99) = error.reason else {
            Issue.record("expected unknown helper, got \(error)")
            return
        }
        #expect(error.description == "runtime error at instruction 1: call to unknown helper 99")
    }

    @Test func kfuncsBindByInstructionNameOrByBTFID() throws {
        var functions = HostFunctions()
        functions.registerKfunc(name: "bpf_io_uring_submit_sqes") { call in call.r2 + 1 }
        functions.registerKfunc(name: "by_id", btfID: 4242) { _ in 100 }
        var program = try Program(
            try Assembler.assemble("mov %r2, 6\ncall kfunc 1\nmov %r6, %r0\ncall kfunc 4242\nadd %r0, %r6\nexit"))
        try program.bindKfunc(at: 1, name: "bpf_io_uring_submit_sqes")
        #expect(try Interpreter(program: program, functions: functions).run() == 107)
        #expect(throws: ProgramError.self) { try program.bindKfunc(at: 0, name: "x") }
    }

    @Test func unboundKfuncIsAnError() throws {
        var program = try Program(try Assembler.assemble("call kfunc 77\ncall kfunc 78\nexit"))
        let error = try #require(failure(Interpreter(program: program)))
        guard case .unknownKfunc(nil, 77) = error.reason else {
            Issue.record("expected unknown kfunc, got \(error)")
            return
        }
        try program.bindKfunc(at: 0, name: "bpf_missing")
        let named = try #require(failure(Interpreter(program: program)))
        guard case .unknownKfunc("bpf_missing", 77) = named.reason else {
            Issue.record("expected named unknown kfunc, got \(named)")
            return
        }
    }

    @Test func hostFunctionErrorsStopTheRunAndKeepTheirType() throws {
        var functions = HostFunctions()
        functions.registerHelper(id: 2, name: "failing") { _ in throw TestFailure(code: 7) }
        let error = try #require(failure(try interpreter("mov %r0, 1\ncall 2\nmov %r0, 2\nexit", functions: functions)))
        #expect(error.index == 1)
        guard case .hostFunctionFailed("failing", let underlying) = error.reason else {
            Issue.record("expected host failure, got \(error)")
            return
        }
        #expect(underlying as? TestFailure == TestFailure(code: 7))
    }

    @Test func hostFunctionCanStopTheRun() throws {
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "stop") { call in
            call.stopRun()
            return 77
        }
        let vm = try interpreter("call 1\nmov %r0, 1\nexit", functions: functions)
        #expect(try vm.run() == 77)
        #expect(vm.instructionsExecuted == 1)
    }

    @Test func hostFunctionsCanCheckPointerArguments() throws {
        let granted = HostBuffer(16)
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "check") { call in
            (call.isAccessible(call.r1, size: 8) ? 1 : 0) + (call.isAccessible(call.r2, size: 8, .readWrite) ? 2 : 0)
                + (call.isAccessible(call.r3, size: 8) ? 4 : 0) + (call.isAccessible(call.r4, size: 17) ? 8 : 0)
        }
        let vm = try interpreter(
            "mov %r6, %r1\nmov %r1, %r10\nsub %r1, 8\nmov %r2, %r6\nmov %r3, 16\nmov %r4, %r6\ncall 1\nexit",
            functions: functions)
        vm.memory.grant(MemoryRegion(name: "ro", buffer: UnsafeRawBufferPointer(granted.memory), permissions: .read))
        // stack pointer: yes; read-only region for read-write: no; wild pointer: no; 17 bytes of 16: no.
        #expect(try vm.run(granted.address) == 1)
    }

    /// A kfunc hands the program a new region at run time (like `bpf_io_uring_get_region`).
    @Test func kfuncGrantsARegionDuringTheRun() throws {
        let region = HostBuffer(256)
        var functions = HostFunctions()
        functions.registerKfunc(name: "get_region") { call in
            call.memory.grant(MemoryRegion(name: "region \(call.r1)", buffer: region.memory))
            return region.address
        }
        var program = try Program(
            try Assembler.assemble(
                """
                mov %r1, 1
                call kfunc 0
                stdw [%r0+248], 99
                ldxdw %r0, [%r0+248]
                exit
                """))
        try program.bindKfunc(at: 1, name: "get_region")
        let vm = Interpreter(program: program, functions: functions)
        #expect(try vm.run() == 99)
        #expect(region.memory.load(fromByteOffset: 248, as: UInt64.self) == 99)
        #expect(vm.memory.regions.map(\.name) == ["region 1"])
    }
}

@Suite struct PseudoLoadTests {
    @Test func unresolvedPseudoLoadRefusesToRun() throws {
        let slots = [Instruction(opcode: 0xb7, dst: 0)] + Instruction.loadImmediate64(dst: 1, 3, kind: .mapValue)
            + [Instruction(opcode: 0x79, dst: 0, src: 1), Instruction(opcode: ISA.exit)]
        var program = try Program(slots)
        #expect(program.pseudoLoads == [
            Program.PseudoLoad(index: 1, kind: .mapValue, imm: 3, nextImm: 0, isResolved: false)
        ])
        let error = try #require(failure(Interpreter(program: program)))
        #expect(error.index == 1)
        guard case .unresolvedPseudoLoad(.mapValue, 3) = error.reason else {
            Issue.record("expected unresolved pseudo load, got \(error)")
            return
        }

        let value = HostBuffer(8)
        value.memory.storeBytes(of: 123, as: UInt64.self)
        try program.resolvePseudoLoad(at: 1, to: value.address)
        #expect(program.firstUnresolvedLoad == nil)
        #expect(program.instructions[1].src == PseudoLoadKind.mapValue.rawValue)  // kept as data
        let vm = Interpreter(program: program)
        vm.memory.grant(name: "map value", base: value.address, size: 8, permissions: .readWrite)
        #expect(try vm.run() == 123)
        #expect(throws: ProgramError.self) { try program.resolvePseudoLoad(at: 0, to: 1) }
    }
}
