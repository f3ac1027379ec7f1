import BPF

/// What compiling a program produces: machine code plus the tables the runtime reads it with.
struct CompiledCode {
    /// Position-independent machine code (all branches relative; absolute addresses only of Swift entry points).
    var bytes: [UInt8]
    /// Offset of the entry code: `@convention(c) (context, function address) -> status`.
    var entryOffset: Int
    /// Offset of each instruction slot's code (the function entries `run(entry:)` may start at).
    var instructionOffsets: [Int]
    /// The memory instructions checked at run time, by site number.
    var sites: [AccessSite]
    /// For each slot, the first instruction not yet charged to the fuel when it runs (see `JITCompiler`).
    var chargeStarts: [Int]
    /// Where the call memos start in the context (after room for every site window), and how many there are.
    var memosOffset: Int
    var memoCount: Int
}

/// A memory instruction whose address is checked at run time.
struct AccessSite {
    var index: Int
    var size: Int
    var kind: AccessKind
    var offset: Int32
    /// Whether its base register always holds the same value (`ConstantAddresses`): its window is then a flag.
    var isConstant = false
}

/// Why JIT code stopped a run (the value its entry code returns).
enum RunStatus: Int32 {
    case exited = 0
    /// A host function called `stopRun()`.
    case stopped = 1
    /// A fault; the details are in the context (`faultCode`) or were recorded by the Swift slow path.
    case faulted = 2
}

/// Faults found in machine code (the rest are found by the Swift runtime, which records the error itself).
enum MachineFault: Int {
    case noFault = 0
    case callDepthExceeded = 1
    case misalignedAtomic = 2
    case unboundCall = 3
}

/// The addresses of the Swift functions JIT code calls: `@convention(c) (context, arg1, arg2) -> RunStatus`.
struct RuntimeEntryPoints {
    /// (address, site): an access the site's window did not answer.
    var access: UInt64
    /// (host-table index, instruction index): a bound helper or kfunc call.
    var hostCall: UInt64
    /// (helper id, instruction index): `callx`.
    var callx: UInt64
    /// (instruction index, unused): the fuel ran out at a taken jump or call.
    var refuel: UInt64
    /// (lowest, highest base register value; the site is in the context): may a loop guard's site skip its
    /// checks? Returns 0 if so (the site's window now covers the range), 1 if not; never stops the run.
    var guardRange: UInt64
}

/// Translates a bound program to x86-64, one BPF instruction at a time, with the interpreter's semantics.
///
/// Registers: BPF r0–r10 stay in rax, rdi, rsi, rdx, rcx, r8, rbx, r13, r14, r15, rbp (r1–r5 are the System V
/// argument registers, r6–r9 and r10 callee-saved ones); r12 holds the `JITContext`, r10 the fuel, r11 and r9
/// are scratch. Local calls are native `call`s that save r6–r10 on the native stack; `exit` is `ret`.
///
/// Instruction counting is the interpreter's, exactly. The interpreter charges the fuel only at taken jumps and
/// calls, with the length of the straight-line run they end, and refuels when the fuel goes negative. Here the
/// charges are split at points known when compiling: every jump target, function entry and return point, and
/// the instruction after a conditional jump. Each conditional jump charges what it ends before comparing
/// (taken or not: the fall-through starts a new charge), and goes out of line only if the fuel went negative,
/// where it refuels only if the jump is taken; falling through into a jump target charges without a check. The
/// fuel is then always the interpreter's minus the charges it has still to make, so the check at a taken jump
/// or call sees the interpreter's value: budget and cancellation stops happen at the same instruction, and
/// `instructionsExecuted` agrees.
struct JITCompiler {
    static let fuel = X86Register.r10
    static let context = X86Register.r12
    static let scratch = X86Register.r11
    static let scratch2 = X86Register.r9
    static let bpfRegisters: [X86Register] = [.rax, .rdi, .rsi, .rdx, .rcx, .r8, .rbx, .r13, .r14, .r15, .rbp]
    static let frameSize = Int32(Interpreter.frameStackSize)

    let slots: [Slot]
    let entryPoints: RuntimeEntryPoints
    var asm = X86Assembler()
    /// Code position of each slot.
    var labels: [X86Label] = []
    var chargeStarts: [Int] = []
    var isChargePoint: [Bool] = []
    var sites: [AccessSite] = []
    /// Out-of-line code, emitted after the body so the hot path falls through.
    var stubs: [Stub] = []
    /// The site number of each checked memory instruction (both copies of a guarded loop share it).
    var siteNumbers: [Int: Int] = [:]
    /// The guarded loops, by header.
    var guardedLoops: [Int: GuardedLoop] = [:]
    /// Memory instructions with a base register known when compiling (`ConstantAddresses`).
    var constantBases: [Int: UInt64] = [:]
    /// The access groups, by first slot.
    var accessGroups: [Int: AccessGroup] = [:]
    /// Which copy of a guarded loop is being emitted, if any.
    var copy: LoopCopy?
    /// Targets of backward jumps: loop heads, aligned to a cache line so that a short loop (or an unrolled block)
    /// starts one, wherever the code before it ends. On Zen 4 a 29-byte loop runs at 1 cycle per iteration inside
    /// one 32-byte fetch block, 1.5–2 when it straddles one; with 32-byte alignment, `bench vm`'s fibonacci ran at
    /// 2.0× native instead of 1.2× once a change earlier in the code moved its loop to 32 mod 64.
    var loopHeads: Set<Int> = []
    static let loopAlignment = 64
    /// For each host-table index, the arguments a cacheable kfunc's result depends on (`CallMemo`).
    let cacheableOn: [Int?]
    /// Where the call memos start in the context: after room for the site windows.
    let memosOffset: Int32
    var memoCount = 0

    // Shared code.
    var unwind: X86Label
    var faultExit: X86Label
    var accessThunk: X86Label
    var callxThunk: X86Label
    var refuelThunk: X86Label
    var guardThunk: X86Label

    enum Stub {
        /// The site window missed: try the stack window, then Swift.
        case accessMiss(entry: X86Label, resume: X86Label, site: Int, base: X86Register, offset: Int32, size: Int)
        /// The fuel ran out at instruction `index`; continue at `resume` once Swift refueled.
        case refuel(entry: X86Label, resume: X86Label, index: Int)
        /// The fuel ran out at conditional jump `index`: refuel and jump to `taken` if it is taken, else fall
        /// through to `notTaken`.
        case conditionalRefuel(entry: X86Label, taken: X86Label, notTaken: X86Label, index: Int)
        /// A fault found in machine code.
        case fault(entry: X86Label, index: Int, fault: MachineFault)
        /// A misaligned atomic; its address is in r11.
        case misaligned(entry: X86Label, index: Int)
        /// A loop guard's access range is not inside its site's window: ask Swift, then continue at `resume` if
        /// the range is covered, else run the checked copy at `fail`.
        case guardMiss(entry: X86Label, resume: X86Label, fail: X86Label, site: Int, access: HoistedAccess)
    }

    static func compile(
        _ bound: BoundProgram, functionEntries: Set<Int>, entryPoints: RuntimeEntryPoints
    ) -> CompiledCode {
        var compiler = JITCompiler(slots: bound.slots, cacheableOn: bound.hostEntries.map(\.cacheableOn), entryPoints: entryPoints)
        for loop in LoopAnalysis(slots: bound.slots, functionEntries: functionEntries).guardedLoops() {
            compiler.guardedLoops[loop.header] = loop
        }
        compiler.constantBases = ConstantAddresses.find(bound.slots, functionEntries: functionEntries)
        let loops = Array(compiler.guardedLoops.values)
        let constant = compiler.constantBases
        for group in AccessGroups.find(bound.slots, functionEntries: functionEntries, excluded: { i in
            constant[i] != nil || loops.contains { $0.header <= i && i <= $0.backEdge }
        }) {
            compiler.accessGroups[group.first] = group
        }
        return compiler.compile(functionEntries: functionEntries)
    }

    private init(slots: [Slot], cacheableOn: [Int?], entryPoints: RuntimeEntryPoints) {
        self.slots = slots
        self.entryPoints = entryPoints
        self.cacheableOn = cacheableOn
        // One window per memory instruction, and one per access group (of two or more of them).
        let windows = slots.count { LoopAnalysis.memoryBase($0) != nil } * 3 / 2
        memosOffset = Int32((JITContext.siteWindowsOffset + windows * MemoryLayout<AccessSiteWindow>.stride + 63) & ~63)
        unwind = asm.makeLabel()
        faultExit = asm.makeLabel()
        accessThunk = asm.makeLabel()
        callxThunk = asm.makeLabel()
        refuelThunk = asm.makeLabel()
        guardThunk = asm.makeLabel()
        labels = slots.map { _ in asm.makeLabel() }
    }

    private mutating func compile(functionEntries: Set<Int>) -> CompiledCode {
        findChargePoints(functionEntries: functionEntries)
        let entryOffset = asm.offset
        emitEntryAndUnwind()
        emitThunk(accessThunk, calling: entryPoints.access)
        emitThunk(callxThunk, calling: entryPoints.callx)
        emitThunk(refuelThunk, calling: entryPoints.refuel)
        emitThunk(guardThunk, calling: entryPoints.guardRange, returnsResult: true)
        var index = 0
        while index < slots.count {
            if let loop = guardedLoops[index] {
                emitGuardedLoop(loop)
                index = loop.backEdge + 1
            } else if let group = accessGroups[index] {
                index = emitAccessGroup(group)
            } else {
                index = emitInstruction(at: index, label: labels[index])
            }
        }
        for stub in stubs { emit(stub) }
        let bytes = asm.finish()
        return CompiledCode(
            bytes: bytes, entryOffset: entryOffset, instructionOffsets: labels.map { asm.offset(of: $0)! },
            sites: sites, chargeStarts: chargeStarts, memosOffset: Int(memosOffset), memoCount: memoCount)
    }

    /// Charge points: slot 0, function entries, jump targets, the slot after each local call (where a return
    /// lands) and after each conditional jump. `chargeStarts[i]` is the last charge point at or before `i`.
    private mutating func findChargePoints(functionEntries: Set<Int>) {
        isChargePoint = [Bool](repeating: false, count: slots.count)
        isChargePoint[0] = true
        for entry in functionEntries { isChargePoint[entry] = true }
        for i in 0..<slots.count {
            let op = slots[i].op
            if op.isJump { isChargePoint[Int(slots[i].off)] = true }
            if op.isJump && Int(slots[i].off) <= i { loopHeads.insert(Int(slots[i].off)) }
            if (op == .callLocal || op.jumpCondition != nil) && i + 1 < slots.count { isChargePoint[i + 1] = true }
        }
        chargeStarts = [Int](repeating: 0, count: slots.count)
        var start = 0
        for i in 0..<slots.count {
            if isChargePoint[i] { start = i }
            chargeStarts[i] = start
        }
    }

    /// Emits slot `index` at `label` and, if it falls through into a charge point, the charge; returns the
    /// next slot.
    mutating func emitInstruction(at index: Int, label: X86Label) -> Int {
        if loopHeads.contains(index) && copy == nil { asm.align(Self.loopAlignment) }
        asm.bind(label)
        let slot = slots[index]
        emit(slot, at: index)
        let next = index + (slot.op == .lddw ? 2 : 1)
        if slot.op == .lddw, !copy.isFast { asm.bind(labels[index + 1]) }
        if next < slots.count && isChargePoint[next] && slot.op.fallsThrough && slot.op.jumpCondition == nil {
            charge(next - chargeStarts[index])
        }
        return next
    }

    /// Where a jump to slot `target` goes from the code being emitted: inside a guarded loop's copy, to that
    /// copy's slots.
    func jumpLabel(_ target: Int) -> X86Label {
        switch copy {
        case .fast(let loop, let labels) where target >= loop.header && target <= loop.backEdge:
            return labels[target]!
        case .checked(let loop, let header) where target == loop.header:
            return header
        default:
            return labels[target]
        }
    }

    func reg(_ bpf: UInt8) -> X86Register { Self.bpfRegisters[Int(bpf)] }

    func contextField(_ field: PartialKeyPath<JITContext>) -> X86Memory {
        X86Memory(Self.context, JITContext.offset(field))
    }

    // MARK: Instruction dispatch

    mutating func emit(_ s: Slot, at index: Int) {
        switch s.op {
        case .ldxb, .ldxh, .ldxw, .ldxdw, .ldxsb, .ldxsh, .ldxsw:
            emitLoad(s, at: index)
        case .stb, .sth, .stw, .stdw, .stxb, .stxh, .stxw, .stxdw:
            emitStore(s, at: index)
        case .atomic32Add, .atomic32Or, .atomic32And, .atomic32Xor, .atomic32FetchAdd, .atomic32FetchOr,
            .atomic32FetchAnd, .atomic32FetchXor, .atomic32Xchg, .atomic32Cmpxchg, .atomic64Add, .atomic64Or,
            .atomic64And, .atomic64Xor, .atomic64FetchAdd, .atomic64FetchOr, .atomic64FetchAnd, .atomic64FetchXor,
            .atomic64Xchg, .atomic64Cmpxchg:
            emitAtomic(s, at: index)
        case .lddw:
            asm.mov(reg(s.dst), immediate: s.imm)
        case .ja:
            emitTakenJump(from: index, to: Int(s.off))
        case .callHelper:
            if let n = cacheableOn[Int(s.imm)] {
                emitCachedCall(s, at: index, arguments: n)
            } else {
                emitHostCall(s.imm, at: index)
            }
        case .callx:
            asm.mov(Self.scratch, reg(s.dst))
            asm.mov(Self.scratch2, immediate: UInt64(index))
            asm.call(callxThunk)
        case .unboundCall:
            emitFault(.unboundCall, at: index)
        case .callLocal:
            emitLocalCall(from: index, to: Int(s.off))
        case .exit:
            charge(index + 1 - chargeStarts[index])
            asm.ret()
        default:
            if s.op.jumpCondition != nil {
                emitConditionalJump(s, at: index)
            } else {
                emitALU(s)
            }
        }
    }

    // MARK: Control flow

    /// Subtracts `count` instructions from the fuel.
    mutating func charge(_ count: Int) {
        asm.alu(.sub, Self.fuel, immediate: Int32(count))
    }

    /// A taken jump: charge the run, refuel if the fuel went negative, jump.
    private mutating func emitTakenJump(from index: Int, to target: Int) {
        charge(index + 1 - chargeStarts[index])
        let refuel = asm.makeLabel()
        asm.jcc(.sign, refuel)
        stubs.append(.refuel(entry: refuel, resume: jumpLabel(target), index: index))
        asm.jmp(jumpLabel(target))
    }

    /// Charges, goes out of line if the fuel went negative, then compares and jumps: two fused
    /// compare-and-branch pairs whichever way the jump goes.
    private mutating func emitConditionalJump(_ s: Slot, at index: Int) {
        charge(index + 1 - chargeStarts[index])
        let outOfFuel = asm.makeLabel(), notTaken = asm.makeLabel()
        asm.jcc(.sign, outOfFuel)
        let taken = jumpLabel(Int(s.off))
        stubs.append(.conditionalRefuel(entry: outOfFuel, taken: taken, notTaken: notTaken, index: index))
        asm.jcc(compare(s), taken)
        asm.bind(notTaken)
    }

    /// Sets the flags for a conditional jump; returns the condition under which it is taken.
    mutating func compare(_ s: Slot) -> X86Condition {
        let (condition, is64, isX, isTest) = s.op.jumpCondition!
        let width: X86Width = is64 ? .qword : .dword
        let dst = reg(s.dst)
        if isX {
            if isTest { asm.test(dst, reg(s.src), width) } else { asm.alu(.cmp, dst, reg(s.src), width) }
        } else {
            let imm = Int32(truncatingIfNeeded: s.imm)
            if isTest { asm.test(dst, immediate: imm, width) } else { asm.alu(.cmp, dst, immediate: imm, width) }
        }
        return condition
    }

    /// A local call: the depth check, then (like a taken jump) the fuel; the callee gets the next 512-byte
    /// frame and r6–r10 come back after it returns, whatever it did with them.
    private mutating func emitLocalCall(from index: Int, to target: Int) {
        let depthFault = asm.makeLabel()
        asm.alu(.cmp, contextField(\.depth), immediate: Int32(Interpreter.maxCallDepth - 1))
        asm.jcc(.greaterOrEqual, depthFault)
        stubs.append(.fault(entry: depthFault, index: index, fault: .callDepthExceeded))
        charge(index + 1 - chargeStarts[index])
        let refuel = asm.makeLabel(), resume = asm.makeLabel()
        asm.jcc(.sign, refuel)
        stubs.append(.refuel(entry: refuel, resume: resume, index: index))
        asm.bind(resume)
        // Five pushes plus the return address keep rsp 8 mod 16 at every function entry (see the entry code).
        for r in [X86Register.rbx, .r13, .r14, .r15, .rbp] { asm.push(r) }
        asm.alu(.add, contextField(\.depth), immediate: 1)
        asm.alu(.sub, .rbp, immediate: Self.frameSize)
        setStackWindow()
        asm.call(labels[target])
        for r in [X86Register.rbp, .r15, .r14, .r13, .rbx] { asm.pop(r) }
        asm.alu(.sub, contextField(\.depth), immediate: 1)
        setStackWindow()
    }

    /// The stack window is the current frame and its callers': `[r10 - 512, top)`.
    private mutating func setStackWindow() {
        asm.lea(Self.scratch, X86Memory(.rbp, -Self.frameSize))
        asm.store(contextField(\.stackLow), Self.scratch, .qword)
    }

    /// Stops the run with a fault found in machine code.
    mutating func emitFault(_ fault: MachineFault, at index: Int) {
        asm.store(contextField(\.stopIndex), immediate: Int32(index), .qword)
        asm.store(contextField(\.faultCode), immediate: Int32(fault.rawValue), .qword)
        asm.jmp(faultExit)
    }

    // MARK: Shared code

    /// The entry code, called from Swift as `(context, function) -> RunStatus`: saves the callee-saved
    /// registers, loads the BPF registers and the fuel from the context, calls the function, and stores r0 and
    /// the fuel back. `unwind` (status in eax) returns from any depth of BPF calls by restoring rsp.
    private mutating func emitEntryAndUnwind() {
        let calleeSaved: [X86Register] = [.rbx, .rbp, .r12, .r13, .r14, .r15]
        for r in calleeSaved { asm.push(r) }
        // Six pushes leave rsp 8 mod 16; one more word makes the call below see a 16-byte aligned stack, so
        // every BPF function starts at 8 mod 16, as System V functions do, and thunks can call Swift directly.
        asm.alu(.sub, .rsp, immediate: 8)
        asm.mov(Self.context, .rdi)
        asm.store(contextField(\.entryStackPointer), .rsp, .qword)
        asm.mov(Self.scratch, .rsi)
        for n in 0...10 { asm.load(Self.bpfRegisters[n], X86Memory(Self.context, JITContext.registerOffsets[n]), .qword) }
        asm.load(Self.fuel, contextField(\.fuel), .qword)
        asm.call(Self.scratch)
        asm.store(contextField(\.r0), .rax, .qword)
        asm.store(contextField(\.fuel), Self.fuel, .qword)
        asm.mov(.rax, immediate: UInt64(RunStatus.exited.rawValue))
        let epilogue = asm.makeLabel()
        asm.bind(epilogue)
        asm.alu(.add, .rsp, immediate: 8)
        for r in calleeSaved.reversed() { asm.pop(r) }
        asm.ret()

        asm.bind(unwind)
        asm.load(.rsp, contextField(\.entryStackPointer), .qword)
        asm.jmp(epilogue)

        asm.bind(faultExit)
        asm.store(contextField(\.fuel), Self.fuel, .qword)
        asm.mov(.rax, immediate: UInt64(RunStatus.faulted.rawValue))
        asm.jmp(unwind)
    }

    /// A thunk into Swift: saves the BPF registers the C calling convention does not preserve (r0–r5) and the
    /// fuel in the context, calls `function(context, r11, r9)`, and unwinds if it returns a status other than
    /// `exited`; otherwise reloads r0–r5 (r0 may hold a result) and the fuel (a refuel changes it). With
    /// `returnsResult`, it never unwinds and returns the function's result in r11 instead.
    private mutating func emitThunk(_ label: X86Label, calling function: UInt64, returnsResult: Bool = false) {
        asm.bind(label)
        for n in 0...5 { asm.store(X86Memory(Self.context, JITContext.registerOffsets[n]), Self.bpfRegisters[n], .qword) }
        asm.store(contextField(\.fuel), Self.fuel, .qword)
        asm.mov(.rdi, Self.context)
        asm.mov(.rsi, Self.scratch)
        asm.mov(.rdx, Self.scratch2)
        asm.mov(.rax, immediate: function)
        asm.call(.rax)
        if returnsResult {
            asm.mov(Self.scratch, .rax, .dword)
        } else {
            asm.test(.rax, .rax, .dword)
            asm.jcc(.notEqual, unwind)
        }
        for n in 0...5 { asm.load(Self.bpfRegisters[n], X86Memory(Self.context, JITContext.registerOffsets[n]), .qword) }
        asm.load(Self.fuel, contextField(\.fuel), .qword)
        asm.ret()
    }

    /// A helper or kfunc call: the thunk's work inline at the call site (`entryPoints.hostCall(context, host,
    /// index)`), so the JIT code has no frame of its own between the program and Swift. A host call may make a
    /// system call (a kfunc submitting SQEs), and every return into a frame entered before a system call is
    /// mispredicted (the kernel's return-stack mitigations), so one frame less is one mispredicted return less.
    mutating func emitHostCall(_ host: UInt64, at index: Int) {
        for n in 0...5 { asm.store(X86Memory(Self.context, JITContext.registerOffsets[n]), Self.bpfRegisters[n], .qword) }
        asm.store(contextField(\.fuel), Self.fuel, .qword)
        asm.mov(.rdi, Self.context)
        asm.mov(.rsi, immediate: host)
        asm.mov(.rdx, immediate: UInt64(index))
        asm.mov(.rax, immediate: entryPoints.hostCall)
        // BPF code runs at rsp 8 mod 16 (see the entry code); Swift is called at 0 mod 16.
        asm.alu(.sub, .rsp, immediate: 8)
        asm.call(.rax)
        asm.alu(.add, .rsp, immediate: 8)
        asm.test(.rax, .rax, .dword)
        asm.jcc(.notEqual, unwind)
        for n in 0...5 { asm.load(Self.bpfRegisters[n], X86Memory(Self.context, JITContext.registerOffsets[n]), .qword) }
        asm.load(Self.fuel, contextField(\.fuel), .qword)
    }

    private mutating func emit(_ stub: Stub) {
        switch stub {
        case .accessMiss(let entry, let resume, let site, let base, let offset, let size):
            asm.bind(entry)
            let slow = asm.makeLabel()
            asm.lea(Self.scratch, X86Memory(base, offset))
            asm.alu(.cmp, Self.scratch, contextField(\.stackLow))
            asm.jcc(.below, slow)
            asm.alu(.cmp, Self.scratch, X86Memory(Self.context, JITContext.stackLastOffset(size: size)))
            asm.jcc(.belowOrEqual, resume)
            asm.bind(slow)
            asm.mov(Self.scratch2, immediate: UInt64(site))
            asm.call(accessThunk)  // returns only if the access is allowed
            asm.jmp(resume)
        case .conditionalRefuel(let entry, let taken, let notTaken, let index):
            asm.bind(entry)
            let refuel = asm.makeLabel()
            asm.jcc(compare(slots[index]), refuel)
            asm.jmp(notTaken)
            asm.bind(refuel)
            asm.mov(Self.scratch, immediate: UInt64(index))
            asm.call(refuelThunk)
            asm.jmp(taken)
        case .refuel(let entry, let resume, let index):
            asm.bind(entry)
            asm.mov(Self.scratch, immediate: UInt64(index))
            asm.call(refuelThunk)
            asm.jmp(resume)
        case .fault(let entry, let index, let fault):
            asm.bind(entry)
            emitFault(fault, at: index)
        case .guardMiss(let entry, let resume, let fail, let site, let access):
            asm.bind(entry)
            evaluate(access.low, into: Self.scratch, failure: fail)
            evaluate(access.high, into: Self.scratch2, failure: fail)
            asm.store(contextField(\.guardSite), immediate: Int32(site), .qword)
            asm.call(guardThunk)
            asm.test(Self.scratch, Self.scratch, .dword)
            asm.jcc(.notEqual, fail)
            asm.jmp(resume)
        case .misaligned(let entry, let index):
            asm.bind(entry)
            asm.store(contextField(\.faultAddress), Self.scratch, .qword)
            emitFault(.misalignedAtomic, at: index)
        }
    }
}

extension Op {
    /// Whether execution can continue with the next slot (a local call continues there only by returning).
    var fallsThrough: Bool {
        switch self {
        case .ja, .exit, .callLocal, .unboundCall: false
        default: true
        }
    }

    /// Jumps with a target in `off` (conditional ones and `ja`).
    var isJump: Bool { self == .ja || jumpCondition != nil }

    /// For a conditional jump: the x86 condition (after `cmp dst, src` or `test dst, src`) under which it is
    /// taken, whether it compares 64 bits, whether the operand is a register, and whether it is a `test` (jset).
    var jumpCondition: (condition: X86Condition, is64: Bool, isX: Bool, isTest: Bool)? {
        switch self {
        case .jeqK: (.equal, true, false, false)
        case .jeqX: (.equal, true, true, false)
        case .jeq32K: (.equal, false, false, false)
        case .jeq32X: (.equal, false, true, false)
        case .jneK: (.notEqual, true, false, false)
        case .jneX: (.notEqual, true, true, false)
        case .jne32K: (.notEqual, false, false, false)
        case .jne32X: (.notEqual, false, true, false)
        case .jgtK: (.above, true, false, false)
        case .jgtX: (.above, true, true, false)
        case .jgt32K: (.above, false, false, false)
        case .jgt32X: (.above, false, true, false)
        case .jgeK: (.aboveOrEqual, true, false, false)
        case .jgeX: (.aboveOrEqual, true, true, false)
        case .jge32K: (.aboveOrEqual, false, false, false)
        case .jge32X: (.aboveOrEqual, false, true, false)
        case .jltK: (.below, true, false, false)
        case .jltX: (.below, true, true, false)
        case .jlt32K: (.below, false, false, false)
        case .jlt32X: (.below, false, true, false)
        case .jleK: (.belowOrEqual, true, false, false)
        case .jleX: (.belowOrEqual, true, true, false)
        case .jle32K: (.belowOrEqual, false, false, false)
        case .jle32X: (.belowOrEqual, false, true, false)
        case .jsgtK: (.greater, true, false, false)
        case .jsgtX: (.greater, true, true, false)
        case .jsgt32K: (.greater, false, false, false)
        case .jsgt32X: (.greater, false, true, false)
        case .jsgeK: (.greaterOrEqual, true, false, false)
        case .jsgeX: (.greaterOrEqual, true, true, false)
        case .jsge32K: (.greaterOrEqual, false, false, false)
        case .jsge32X: (.greaterOrEqual, false, true, false)
        case .jsltK: (.less, true, false, false)
        case .jsltX: (.less, true, true, false)
        case .jslt32K: (.less, false, false, false)
        case .jslt32X: (.less, false, true, false)
        case .jsleK: (.lessOrEqual, true, false, false)
        case .jsleX: (.lessOrEqual, true, true, false)
        case .jsle32K: (.lessOrEqual, false, false, false)
        case .jsle32X: (.lessOrEqual, false, true, false)
        case .jsetK: (.notEqual, true, false, true)
        case .jsetX: (.notEqual, true, true, true)
        case .jset32K: (.notEqual, false, false, true)
        case .jset32X: (.notEqual, false, true, true)
        default: nil
        }
    }
}
