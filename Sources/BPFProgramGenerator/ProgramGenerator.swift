import BPF

/// A random valid program and the host environment it runs in (see `DifferentialCase`).
public struct GeneratedProgram {
    /// The instruction slots (valid under `Validator(allowsDivisionByImmediateZero: true)`).
    public var instructions: [Instruction]
    /// `lddw` slots (pseudo map-value loads) the host resolves to `arena + offset`.
    public var arenaLoads: [(index: Int, offset: UInt64)]
    /// kfunc calls bound by name.
    public var kfuncBindings: [(index: Int, name: String)]
    /// The run's instruction budget (small budgets make some runs stop at a jump or call).
    public var instructionBudget: UInt64
    /// r5 at entry (r1–r4 point into the arena, see `Arena`).
    public var r5: UInt64
    /// Seeds the arena's initial bytes.
    public var arenaSeed: UInt64
}

/// Generates random programs that exercise every part of the engines: ALU operations of both widths with the
/// edge values of division, shifts and sign extension, conditional jumps of both widths, bounded (sometimes
/// unbounded) loops, local calls (sometimes too deep), loads, stores and atomics inside and outside the granted
/// regions and the stack, helper, kfunc and `callx` calls (some fail, stop the run, or grant or revoke a region),
/// 64-bit immediates and resolved pseudo loads.
///
/// Programs never let a stack address reach a register that outlives one statement, memory or r0: stack
/// addresses differ between two engines, everything else a program computes must not.
public struct ProgramGenerator {
    private var random: GeneratorRandomness
    private var code: [Instruction] = []
    private var arenaLoads: [(index: Int, offset: UInt64)] = []
    private var kfuncBindings: [(index: Int, name: String)] = []
    /// Local calls to patch once function addresses are known: (call slot, callee number).
    private var calls: [(index: Int, function: Int)] = []
    private var functionCount = 0
    /// The function being generated (0 = main); it may call only later functions, except on purpose.
    private var currentFunction = 0
    private var statementsLeft = 0
    /// How often a choice that may stop the run is made (percent): 0 in some programs, which then usually run
    /// to their exit; otherwise low or high.
    private var hazard = 0

    /// Loop counters (r8 for the outer loop, r9 for an inner one) are never written by loop bodies.
    private static let counters: [UInt8] = [8, 9]

    public init(_ random: GeneratorRandomness) {
        self.random = random
    }

    /// A program of up to about `size` statements.
    public mutating func generate(size: Int = 40) -> GeneratedProgram {
        hazard = random.pick([0, 0, 0, 0, 3, 3, 3, 15, 15, 40])
        functionCount = random.below(4)
        var entries: [Int] = []
        currentFunction = 0
        statementsLeft = size
        // r6 and r7 keep pointers to the read-write and read-only regions for most of the program.
        emit(alu(ISA.ALU.mov, is64: true, dst: 6, src: 1))
        emit(alu(ISA.ALU.mov, is64: true, dst: 7, src: 2))
        body()
        for f in 1...max(functionCount, 1) where f <= functionCount {
            currentFunction = f
            entries.append(code.count)
            statementsLeft = size / 3
            body()
        }
        for call in calls {
            code[call.index].imm = Int32(entries[call.function - 1] - call.index - 1)
        }
        let budget: UInt64 = risky() ? UInt64(random.in(1...400)) : 20_000
        return GeneratedProgram(
            instructions: code, arenaLoads: arenaLoads, kfuncBindings: kfuncBindings, instructionBudget: budget,
            r5: value(), arenaSeed: random.next())
    }

    // MARK: Structure

    private mutating func emit(_ insn: Instruction) { code.append(insn) }

    /// Sets r0 and exits.
    private mutating func finish() {
        if random.chance(70) {
            emit(alu(ISA.ALU.mov, is64: true, dst: 0, src: scratchRegister(), isX: true))
        }
        emit(Instruction(opcode: ISA.exit))
    }

    /// A function body: statements until the size is used up, then an exit.
    private mutating func body() {
        while statementsLeft > 0 {
            statementsLeft -= 1
            statement(depth: 0, loops: 0)
        }
        finish()
    }

    private mutating func block(depth: Int, loops: Int) {
        let count = random.in(1...6)
        for _ in 0..<count where statementsLeft > 0 {
            statementsLeft -= 1
            statement(depth: depth, loops: loops)
        }
    }

    private mutating func statement(depth: Int, loops: Int) {
        let roll = random.below(100)
        switch roll {
        case 0..<30: aluStatement(loops: loops)
        case 30..<52: memoryStatement(loops: loops)
        case 52..<57: stackPointerStatement(loops: loops)
        case 57..<61: indexedStatement(loops: loops)
        case 61..<70 where depth < 3: branch(depth: depth, loops: loops)
        case 70..<73 where depth < 3 && loops < 2: loop(depth: depth, loops: loops)
        case 73..<75 where depth < 3 && loops == 0: pointerLoop(depth: depth)
        case 75..<82: hostCall()
        case 82..<86 where functionCount > currentFunction || risky(): localCall()
        case 86..<92: loadImmediate(loops: loops)
        case 92..<94:  // an early exit
            let skip = code.count
            emit(jump(ISA.JMP.jeq, is64: true, dst: scratchRegister(), imm: Int32(random.below(3))))
            finish()
            code[skip].offset = Int16(code.count - skip - 1)
        case 94..<96:  // gotol over a block
            let start = code.count
            emit(Instruction(opcode: ISA.ja32))
            block(depth: depth + 1, loops: loops)
            code[start].imm = Int32(code.count - start - 1)
        default: aluStatement(loops: loops)
        }
    }

    private mutating func branch(depth: Int, loops: Int) {
        let start = code.count
        emit(randomJump(loops: loops))
        block(depth: depth + 1, loops: loops)
        if random.chance(40) {
            let jumpOverElse = code.count
            emit(Instruction(opcode: ISA.ja))
            code[start].offset = Int16(code.count - start - 1)
            block(depth: depth + 1, loops: loops)
            code[jumpOverElse].offset = Int16(code.count - jumpOverElse - 1)
        } else {
            code[start].offset = Int16(code.count - start - 1)
        }
    }

    /// `counter = n; do { body } while (--counter != 0)`, in one of several shapes; n = 0 runs until the budget.
    private mutating func loop(depth: Int, loops: Int) {
        let counter = Self.counters[loops]
        let n = risky() ? 0 : random.in(1...12)
        emit(alu(ISA.ALU.mov, is64: true, dst: counter, imm: Int32(n)))
        let head = code.count
        block(depth: depth + 1, loops: loops + 1)
        let is64 = random.chance(70)
        let back: Instruction
        switch random.below(3) {
        case 0:
            emit(alu(ISA.ALU.sub, is64: is64, dst: counter, imm: 1))
            back = jump(ISA.JMP.jne, is64: is64, dst: counter, imm: 0)
        case 1:
            emit(alu(ISA.ALU.add, is64: true, dst: counter, imm: -1))
            back = jump(ISA.JMP.jsgt, is64: true, dst: counter, imm: 0)
        default:
            emit(alu(ISA.ALU.sub, is64: true, dst: counter, imm: 1))
            back = jump(ISA.JMP.jgt, is64: true, dst: counter, imm: 0)
        }
        var b = back
        b.offset = Int16(head - code.count - 1)
        emit(b)
    }

    /// A walk over a region, as checksums and copies do: `p = base + a; end = base + e; do { body with
    /// accesses through p (or through a table indexed by what p points at); p += step } while (p < end)`,
    /// with starts, ends and offsets that sometimes leave the region. p is r8, end r9 (loop counters, which
    /// the body never writes).
    private mutating func pointerLoop(depth: Int) {
        let base: UInt8 = random.chance(75) ? 6 : 7
        let size = base == 6 ? 256 : 128
        if random.chance(30) { return exactWalk(base: base, size: size) }
        emit(alu(ISA.ALU.mov, is64: true, dst: 8, src: base, isX: true))
        emit(alu(ISA.ALU.add, is64: true, dst: 8, imm: Int32(risky() ? random.in(-16...(size + 8)) : random.in(0...16))))
        emit(alu(ISA.ALU.mov, is64: true, dst: 9, src: base, isX: true))
        emit(alu(ISA.ALU.add, is64: true, dst: 9, imm: Int32(risky() ? random.in(0...(size + 40)) : random.in(size - 48...size - 16))))
        let head = code.count
        for _ in 0..<random.in(1...3) {
            switch random.below(4) {
            case 0:  // a table lookup by the byte at p
                let r = scratchRegister()
                emit(Instruction(opcode: InstructionClass.ldx.rawValue | ISA.Mode.mem | ISA.Size.b, dst: r, src: 8))
                emit(risky() ? alu(ISA.ALU.lsh, is64: true, dst: r, imm: Int32(random.in(0...3)))
                    : alu(ISA.ALU.and, is64: true, dst: r, imm: Int32(random.pick([0x3f, 0xf0, 0x78]))))
                emit(alu(ISA.ALU.add, is64: true, dst: r, src: 6, isX: true))
                access(base: r, offset: Int16(risky() ? random.in(-4...8) : 0), loops: 2, atomics: risky())
            case 1:
                statement(depth: depth + 1, loops: 2)
            default:
                access(base: 8, offset: Int16(risky() ? random.in(-8...16) : random.in(0...8)), loops: 2, atomics: risky(),
                       loadsOnly: base == 7 && !risky())
            }
        }
        let step = Int32(random.pick([1, 1, 2, 4, 8, 16, 3]))
        if random.chance(20) {  // a second, conditional increment
            emit(jump(ISA.JMP.jset, is64: true, dst: scratchRegister(), imm: 1))
            code[code.count - 1].offset = 1
            emit(alu(ISA.ALU.add, is64: true, dst: 8, imm: step))
        }
        emit(alu(ISA.ALU.add, is64: true, dst: 8, imm: step))
        var back: Instruction
        switch random.below(5) {
        case 0: back = jump(ISA.JMP.jle, is64: true, dst: 8, imm: 0); back.src = 9
        case 1: back = jump(ISA.JMP.jgt, is64: true, dst: 9, imm: 0); back.src = 8
        case 2: back = jump(ISA.JMP.jge, is64: true, dst: 9, imm: 0); back.src = 8
        default: back = jump(ISA.JMP.jlt, is64: true, dst: 8, imm: 0); back.src = 9
        }
        back.opcode |= ISA.sourceX
        back.offset = Int16(head - code.count - 1)
        emit(back)
    }

    /// A walk that ends exactly at the end of the region: `for (p = base; p < base + size; p += n) access n
    /// bytes at p` (sometimes one byte too far), where only an exact bound lets the JIT drop the checks.
    private mutating func exactWalk(base: UInt8, size: Int) {
        let sizes: [(UInt8, Int)] = [(ISA.Size.b, 1), (ISA.Size.h, 2), (ISA.Size.w, 4), (ISA.Size.dw, 8)]
        let (sizeCode, bytes) = random.pick(sizes)
        let step = bytes * random.pick([1, 1, 2])
        emit(alu(ISA.ALU.mov, is64: true, dst: 8, src: base, isX: true))
        emit(alu(ISA.ALU.mov, is64: true, dst: 9, src: base, isX: true))
        emit(alu(ISA.ALU.add, is64: true, dst: 9, imm: Int32(size + (risky() ? 1 : 0))))
        let head = code.count
        if base == 6 && random.chance(50) {
            emit(Instruction(opcode: InstructionClass.stx.rawValue | ISA.Mode.mem | sizeCode, dst: 8, src: scratchRegister()))
        } else {
            emit(Instruction(opcode: InstructionClass.ldx.rawValue | ISA.Mode.mem | sizeCode, dst: scratchRegister(), src: 8))
        }
        emit(alu(ISA.ALU.add, is64: true, dst: 8, imm: Int32(step)))
        var back = jump(random.chance(50) ? ISA.JMP.jlt : ISA.JMP.jle, is64: true, dst: 8, imm: 0)
        back.opcode |= ISA.sourceX
        back.src = 9
        back.offset = Int16(head - code.count - 1)
        emit(back)
    }

    // MARK: Values and registers

    /// True `hazard` times in 100: whether to make a choice that may stop the run.
    private mutating func risky() -> Bool { random.chance(hazard) }

    /// Edge values first: zero, ±1, the 32- and 64-bit extremes, shift widths, byte masks.
    private mutating func value() -> UInt64 {
        switch random.below(10) {
        case 0: 0
        case 1: 1
        case 2: UInt64.max
        case 3: random.pick([0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000, 1 << 63, (1 << 63) - 1])
        case 4: UInt64(random.pick([31, 32, 33, 63, 64, 65, 7, 8, 15, 16]))
        case 5: UInt64(random.below(256))
        case 6: UInt64(bitPattern: Int64(random.in(-20...20)))
        default: random.next()
        }
    }

    private mutating func immediate() -> Int32 {
        Int32(truncatingIfNeeded: value())
    }

    /// r0–r5.
    private mutating func scratchRegister() -> UInt8 { UInt8(random.below(6)) }

    /// A register an ALU result may go to: mostly r0–r5, sometimes the pointer registers r6/r7, and loop
    /// counters only where no loop uses them.
    private mutating func destination(loops: Int) -> UInt8 {
        let roll = random.below(100)
        if roll < 6 && risky() { return UInt8(6 + random.below(2)) }
        if roll < 10 && loops < 2 { return Self.counters[loops + random.below(2 - loops)] }
        return scratchRegister()
    }

    /// Any register but r10.
    private mutating func source() -> UInt8 { UInt8(random.below(10)) }

    // MARK: Statements

    private mutating func aluStatement(loops: Int) {
        let dst = destination(loops: loops)
        let is64 = random.chance(55)
        let isX = random.chance(45)
        let ops: [UInt8] = [
            ISA.ALU.add, ISA.ALU.sub, ISA.ALU.mul, ISA.ALU.div, ISA.ALU.or, ISA.ALU.and, ISA.ALU.lsh, ISA.ALU.rsh,
            ISA.ALU.neg, ISA.ALU.mod, ISA.ALU.xor, ISA.ALU.mov, ISA.ALU.arsh, ISA.ALU.end,
        ]
        let op = random.pick(ops)
        let cls: UInt8 = is64 ? InstructionClass.alu64.rawValue : InstructionClass.alu.rawValue
        switch op {
        case ISA.ALU.neg:
            emit(Instruction(opcode: cls | op, dst: dst))
        case ISA.ALU.end:
            let width = random.pick([16, 32, 64] as [Int32])
            let swapX = !is64 && random.chance(50)  // `be` (64-bit END is always a swap)
            emit(Instruction(opcode: cls | op | (swapX ? ISA.sourceX : 0), dst: dst, imm: width))
        case ISA.ALU.div, ISA.ALU.mod:
            let signed: Int16 = random.chance(50) ? 1 : 0
            if isX {
                emit(Instruction(opcode: cls | op | ISA.sourceX, dst: dst, src: source(), offset: signed))
            } else {
                let divisor = random.chance(25) ? random.pick([0, -1, 1] as [Int32]) : immediate()
                emit(Instruction(opcode: cls | op, dst: dst, offset: signed, imm: divisor))
            }
        case ISA.ALU.mov where isX && random.chance(40):
            let widths: [Int16] = is64 ? [8, 16, 32] : [8, 16]
            emit(Instruction(opcode: cls | op | ISA.sourceX, dst: dst, src: source(), offset: random.pick(widths)))
        default:
            if isX {
                emit(Instruction(opcode: cls | op | ISA.sourceX, dst: dst, src: source()))
            } else {
                emit(Instruction(opcode: cls | op, dst: dst, imm: immediate()))
            }
        }
    }

    private mutating func randomJump(loops: Int) -> Instruction {
        let ops: [UInt8] = [
            ISA.JMP.jeq, ISA.JMP.jgt, ISA.JMP.jge, ISA.JMP.jset, ISA.JMP.jne, ISA.JMP.jsgt, ISA.JMP.jsge,
            ISA.JMP.jlt, ISA.JMP.jle, ISA.JMP.jslt, ISA.JMP.jsle,
        ]
        let op = random.pick(ops)
        let is64 = random.chance(60)
        if random.chance(50) {
            var j = jump(op, is64: is64, dst: source(), imm: 0)
            j.opcode |= ISA.sourceX
            j.src = source()
            return j
        }
        return jump(op, is64: is64, dst: source(), imm: immediate())
    }

    /// A load, store or atomic through r6 (read-write region), r7 (read-only region), r10 (stack), r1–r4 (other
    /// regions, while they still point there) or a random register, at offsets around the region's bounds.
    private mutating func memoryStatement(loops: Int) {
        let base: UInt8
        let offset: Int
        let inside = !risky()
        switch inside ? random.below(8) : random.below(10) {
        case 0..<4:
            base = 6
            offset = inside ? random.in(0...248) : random.in(-8...264)
        case 4..<6:
            base = 7
            offset = inside ? random.in(0...120) : random.in(-8...136)
        case 6..<8:
            base = 10
            offset = inside ? random.in(-512...(-8)) : random.in(-530...16)
        default:
            base = UInt8(random.below(6))
            offset = random.in(-8...80)
        }
        access(base: base, offset: Int16(offset), loops: loops, loadsOnly: base == 7 && inside)
    }

    /// A pointer into the stack, used at once and overwritten: `r = r10 - k; access [r + off]; r = constant`.
    private mutating func stackPointerStatement(loops: Int) {
        let r = scratchRegister()
        emit(alu(ISA.ALU.mov, is64: true, dst: r, src: 10))
        if risky() {
            emit(alu(ISA.ALU.add, is64: true, dst: r, imm: Int32(-random.in(0...540))))
            access(base: r, offset: Int16(random.in(-16...16)), loops: loops, avoiding: r)
        } else {
            emit(alu(ISA.ALU.add, is64: true, dst: r, imm: Int32(-8 * random.in(2...63))))
            access(base: r, offset: Int16(8 * random.in(0...1)), loops: loops, avoiding: r)
        }
        emit(alu(ISA.ALU.mov, is64: true, dst: r, imm: immediate()))
    }

    /// A variable index into the read-write region, as a histogram does: `p = r6 + (x & mask); access [p]`.
    private mutating func indexedStatement(loops: Int) {
        let p = scratchRegister()
        var index = scratchRegister()
        if index == p { index = (p + 1) % 6 }
        emit(alu(ISA.ALU.and, is64: true, dst: index, imm: Int32(risky() ? random.pick([0xff, 0x1ff, 0xf9]) : random.pick([0xf8, 0x78, 0x38]))))
        emit(alu(ISA.ALU.mov, is64: true, dst: p, src: 6))
        emit(alu(ISA.ALU.add, is64: true, dst: p, src: index))
        access(base: p, offset: 0, loops: loops)
    }

    private mutating func access(
        base: UInt8, offset: Int16, loops: Int, avoiding stackPointer: UInt8? = nil, atomics: Bool = true,
        loadsOnly: Bool = false
    ) {
        let sizes: [UInt8] = [ISA.Size.b, ISA.Size.h, ISA.Size.w, ISA.Size.dw]
        // The value stored must not be the stack pointer (0 and 1 cannot both be).
        let other: UInt8 = stackPointer == 0 ? 1 : 0
        var value = source()
        if value == stackPointer { value = other }
        let dst = destination(loops: loops)
        switch loadsOnly ? 0 : random.below(atomics ? 10 : 8) {
        case 0..<4:
            let signed = random.chance(25)
            let size = signed ? random.pick([ISA.Size.b, ISA.Size.h, ISA.Size.w]) : random.pick(sizes)
            let mode = signed ? ISA.Mode.memsx : ISA.Mode.mem
            emit(Instruction(opcode: InstructionClass.ldx.rawValue | mode | size, dst: dst, src: base, offset: offset))
        case 4..<6:
            emit(Instruction(opcode: InstructionClass.stx.rawValue | ISA.Mode.mem | random.pick(sizes), dst: base,
                             src: value, offset: offset))
        case 6..<8:
            emit(Instruction(opcode: InstructionClass.st.rawValue | ISA.Mode.mem | random.pick(sizes), dst: base,
                             offset: offset, imm: immediate()))
        default:
            let ops: [Int32] = [
                ISA.Atomic.add, ISA.Atomic.or, ISA.Atomic.and, ISA.Atomic.xor, ISA.Atomic.add | ISA.Atomic.fetch,
                ISA.Atomic.or | ISA.Atomic.fetch, ISA.Atomic.and | ISA.Atomic.fetch, ISA.Atomic.xor | ISA.Atomic.fetch,
                ISA.Atomic.xchg, ISA.Atomic.cmpxchg,
            ]
            let op = random.pick(ops)
            // Fetching atomics write `src`: not a loop counter, not the stack pointer in use.
            if op & ISA.Atomic.fetch != 0 && value >= 8 { value = other }
            let aligned = risky() ? offset : offset & ~7
            emit(Instruction(
                opcode: InstructionClass.stx.rawValue | ISA.Mode.atomic | random.pick([ISA.Size.w, ISA.Size.dw]),
                dst: base, src: value, offset: aligned, imm: op))
        }
    }

    private mutating func loadImmediate(loops: Int) {
        let dst = destination(loops: loops)
        if random.chance(40) {
            arenaLoads.append((code.count, UInt64(random.in(0...4095))))
            code += Instruction.loadImmediate64(dst: dst, 0, kind: .mapValue)
        } else {
            code += Instruction.loadImmediate64(dst: dst, value())
        }
    }

    /// Helpers 1–6 (see `DifferentialCase`), an unknown helper, a kfunc by name or unbound, or `callx`.
    private mutating func hostCall() {
        switch random.below(10) {
        case 0..<6:
            // Helper 5 fails for some arguments.
            emit(Instruction(opcode: ISA.call, imm: risky() ? Int32(random.in(1...6)) : random.pick([1, 2, 3, 4, 6])))
        case 6 where risky():
            if random.chance(50) {
                emit(Instruction(opcode: ISA.call, imm: random.pick([0, 99, -1])))
            } else {
                emit(Instruction(opcode: ISA.call, src: ISA.CallKind.kfunc, imm: random.pick([77, 78])))
            }
        case 6, 7, 8:
            kfuncBindings.append((code.count, risky() ? "missing" : "add"))
            emit(Instruction(opcode: ISA.call, src: ISA.CallKind.kfunc, imm: 1234))
        default:
            let r = scratchRegister()
            emit(alu(ISA.ALU.mov, is64: true, dst: r, imm: risky() ? Int32(random.in(0...8)) : Int32(random.in(1...4))))
            emit(Instruction(opcode: ISA.callx, dst: r))
        }
    }

    /// A call of a later function (or, rarely, the current one: recursion until the call depth runs out).
    private mutating func localCall() {
        let target: Int
        if functionCount > currentFunction && !risky() {
            target = random.in((currentFunction + 1)...functionCount)
        } else if currentFunction > 0 {
            target = currentFunction
        } else {
            return
        }
        calls.append((code.count, target))
        emit(Instruction(opcode: ISA.call, src: ISA.CallKind.local))
    }

    // MARK: Encoding

    private func alu(_ op: UInt8, is64: Bool, dst: UInt8, src: UInt8, isX: Bool = true) -> Instruction {
        let cls = is64 ? InstructionClass.alu64.rawValue : InstructionClass.alu.rawValue
        return Instruction(opcode: cls | op | ISA.sourceX, dst: dst, src: src)
    }

    private func alu(_ op: UInt8, is64: Bool, dst: UInt8, imm: Int32) -> Instruction {
        let cls = is64 ? InstructionClass.alu64.rawValue : InstructionClass.alu.rawValue
        return Instruction(opcode: cls | op, dst: dst, imm: imm)
    }

    private func jump(_ op: UInt8, is64: Bool, dst: UInt8, imm: Int32) -> Instruction {
        let cls = is64 ? InstructionClass.jmp.rawValue : InstructionClass.jmp32.rawValue
        return Instruction(opcode: cls | op, dst: dst, imm: imm)
    }
}
