import BPF

/// Arithmetic, moves, sign extension and byte swaps. 32-bit operations use 32-bit x86 forms, which zero the
/// upper half of the destination as BPF requires.
extension JITCompiler {
    mutating func emitALU(_ s: Slot) {
        let dst = reg(s.dst)
        switch s.op {
        case .add64K: binary(.add, s, .qword, isX: false)
        case .add64X: binary(.add, s, .qword, isX: true)
        case .add32K: binary(.add, s, .dword, isX: false)
        case .add32X: binary(.add, s, .dword, isX: true)
        case .sub64K: binary(.sub, s, .qword, isX: false)
        case .sub64X: binary(.sub, s, .qword, isX: true)
        case .sub32K: binary(.sub, s, .dword, isX: false)
        case .sub32X: binary(.sub, s, .dword, isX: true)
        case .or64K: binary(.or, s, .qword, isX: false)
        case .or64X: binary(.or, s, .qword, isX: true)
        case .or32K: binary(.or, s, .dword, isX: false)
        case .or32X: binary(.or, s, .dword, isX: true)
        case .and64K: binary(.and, s, .qword, isX: false)
        case .and64X: binary(.and, s, .qword, isX: true)
        case .and32K: binary(.and, s, .dword, isX: false)
        case .and32X: binary(.and, s, .dword, isX: true)
        case .xor64K: binary(.xor, s, .qword, isX: false)
        case .xor64X: binary(.xor, s, .qword, isX: true)
        case .xor32K: binary(.xor, s, .dword, isX: false)
        case .xor32X: binary(.xor, s, .dword, isX: true)
        case .mul64K: asm.imul(dst, dst, immediate: immediate(s), .qword)
        case .mul64X: asm.imul(dst, reg(s.src), .qword)
        case .mul32K: asm.imul(dst, dst, immediate: immediate(s), .dword)
        case .mul32X: asm.imul(dst, reg(s.src), .dword)
        case .lsh64K: shift(.shl, s, .qword, isX: false)
        case .lsh64X: shift(.shl, s, .qword, isX: true)
        case .lsh32K: shift(.shl, s, .dword, isX: false)
        case .lsh32X: shift(.shl, s, .dword, isX: true)
        case .rsh64K: shift(.shr, s, .qword, isX: false)
        case .rsh64X: shift(.shr, s, .qword, isX: true)
        case .rsh32K: shift(.shr, s, .dword, isX: false)
        case .rsh32X: shift(.shr, s, .dword, isX: true)
        case .arsh64K: shift(.sar, s, .qword, isX: false)
        case .arsh64X: shift(.sar, s, .qword, isX: true)
        case .arsh32K: shift(.sar, s, .dword, isX: false)
        case .arsh32X: shift(.sar, s, .dword, isX: true)
        case .div64K: divide(s, .qword, isX: false, signed: false, modulo: false)
        case .div64X: divide(s, .qword, isX: true, signed: false, modulo: false)
        case .div32K: divide(s, .dword, isX: false, signed: false, modulo: false)
        case .div32X: divide(s, .dword, isX: true, signed: false, modulo: false)
        case .mod64K: divide(s, .qword, isX: false, signed: false, modulo: true)
        case .mod64X: divide(s, .qword, isX: true, signed: false, modulo: true)
        case .mod32K: divide(s, .dword, isX: false, signed: false, modulo: true)
        case .mod32X: divide(s, .dword, isX: true, signed: false, modulo: true)
        case .sdiv64K: divide(s, .qword, isX: false, signed: true, modulo: false)
        case .sdiv64X: divide(s, .qword, isX: true, signed: true, modulo: false)
        case .sdiv32K: divide(s, .dword, isX: false, signed: true, modulo: false)
        case .sdiv32X: divide(s, .dword, isX: true, signed: true, modulo: false)
        case .smod64K: divide(s, .qword, isX: false, signed: true, modulo: true)
        case .smod64X: divide(s, .qword, isX: true, signed: true, modulo: true)
        case .smod32K: divide(s, .dword, isX: false, signed: true, modulo: true)
        case .smod32X: divide(s, .dword, isX: true, signed: true, modulo: true)
        case .mov64K: asm.mov(dst, immediate: s.imm)
        case .mov64X: if s.dst != s.src { asm.mov(dst, reg(s.src)) }
        case .mov32K: asm.mov(dst, immediate: UInt64(UInt32(truncatingIfNeeded: s.imm)))
        case .mov32X: asm.mov(dst, reg(s.src), .dword)
        case .neg64: asm.neg(dst, .qword)
        case .neg32: asm.neg(dst, .dword)
        case .movsx8to64: asm.movsx(dst, reg(s.src), from: .byte, to: .qword)
        case .movsx16to64: asm.movsx(dst, reg(s.src), from: .word, to: .qword)
        case .movsx32to64: asm.movsx(dst, reg(s.src), from: .dword, to: .qword)
        case .movsx8to32: asm.movsx(dst, reg(s.src), from: .byte, to: .dword)
        case .movsx16to32: asm.movsx(dst, reg(s.src), from: .word, to: .dword)
        case .le16: asm.movzx16(dst, dst)
        case .le32: asm.mov(dst, dst, .dword)
        case .le64: break
        case .be16, .swap16:
            asm.shift(.rol, dst, by: 8, .word)
            asm.movzx16(dst, dst)
        case .be32, .swap32: asm.bswap(dst, .dword)
        case .be64, .swap64: asm.bswap(dst, .qword)
        default: preconditionFailure("not an ALU operation: \(s.op)")
        }
    }

    /// The 32-bit immediate of an instruction (the slot holds it sign-extended).
    func immediate(_ s: Slot) -> Int32 { Int32(truncatingIfNeeded: s.imm) }

    private mutating func binary(_ op: X86ALU, _ s: Slot, _ width: X86Width, isX: Bool) {
        if isX {
            asm.alu(op, reg(s.dst), reg(s.src), width)
        } else {
            asm.alu(op, reg(s.dst), immediate: immediate(s), width)
        }
    }

    /// Shifts mask the count to the operand width, in BPF as on x86. A count in a register must be in cl, which
    /// holds BPF r4: it is parked in r11 meanwhile.
    private mutating func shift(_ op: X86Shift, _ s: Slot, _ width: X86Width, isX: Bool) {
        let dst = reg(s.dst)
        let mask: UInt64 = width == .qword ? 63 : 31
        guard isX else {
            let count = UInt8(s.imm & mask)
            if count == 0 {
                if width == .dword { asm.mov(dst, dst, .dword) }
            } else {
                asm.shift(op, dst, by: count, width)
            }
            return
        }
        let src = reg(s.src)
        if src == .rcx {
            asm.shiftByCL(op, dst, width)
        } else if dst == .rcx {
            asm.mov(Self.scratch, .rcx)
            asm.mov(.rcx, src)
            asm.shiftByCL(op, Self.scratch, width)
            asm.mov(.rcx, Self.scratch)
        } else {
            asm.mov(Self.scratch, .rcx)
            asm.mov(.rcx, src)
            asm.shiftByCL(op, dst, width)
            asm.mov(.rcx, Self.scratch)
        }
    }

    /// Division and modulo (RFC 9669): x / 0 = 0, x % 0 = x, signed x / -1 = -x and x % -1 = 0 (so INT_MIN / -1
    /// never reaches `idiv`, which would trap). x86 divides rdx:rax, which hold BPF r3 and r0: they are saved in
    /// r9 and the context around the `div`.
    private mutating func divide(_ s: Slot, _ width: X86Width, isX: Bool, signed: Bool, modulo: Bool) {
        let dst = reg(s.dst)
        let divisor = Self.scratch
        if !isX {
            let value = immediate(s)
            if value == 0 { return divideByZero(dst, width, modulo: modulo) }
            if signed && value == -1 { return divideByMinusOne(dst, width, modulo: modulo) }
            asm.mov(divisor, immediate: width == .qword ? s.imm : UInt64(UInt32(bitPattern: value)))
            return divide(dst, by: divisor, width, signed: signed, modulo: modulo)
        }
        let done = asm.makeLabel(), byZero = asm.makeLabel(), byMinusOne = asm.makeLabel()
        asm.mov(divisor, reg(s.src), width)
        asm.test(divisor, divisor, width)
        asm.jcc(.equal, byZero)
        if signed {
            asm.alu(.cmp, divisor, immediate: -1, width)
            asm.jcc(.equal, byMinusOne)
        }
        divide(dst, by: divisor, width, signed: signed, modulo: modulo)
        asm.jmp(done)
        asm.bind(byZero)
        divideByZero(dst, width, modulo: modulo)
        if signed {
            asm.jmp(done)
            asm.bind(byMinusOne)
            divideByMinusOne(dst, width, modulo: modulo)
        } else {
            asm.bind(byMinusOne)  // unused
        }
        asm.bind(done)
    }

    /// `dst = dst / divisor` or `dst % divisor` for a divisor that is neither 0 nor (signed) -1.
    private mutating func divide(_ dst: X86Register, by divisor: X86Register, _ width: X86Width, signed: Bool, modulo: Bool) {
        asm.mov(Self.scratch2, .rax)
        asm.store(contextField(\.spill), .rdx, .qword)
        asm.mov(.rax, dst, width)
        if signed {
            asm.signExtendAccumulator(width)
            asm.idiv(divisor, width)
        } else {
            asm.alu(.xor, .rdx, .rdx, .dword)
            asm.div(divisor, width)
        }
        asm.mov(divisor, modulo ? .rdx : .rax, width)
        asm.mov(.rax, Self.scratch2)
        asm.load(.rdx, contextField(\.spill), .qword)
        asm.mov(dst, divisor)
    }

    /// x / 0 = 0; x % 0 = x (as a 32-bit value for 32-bit operations).
    private mutating func divideByZero(_ dst: X86Register, _ width: X86Width, modulo: Bool) {
        if !modulo {
            asm.alu(.xor, dst, dst, .dword)
        } else if width == .dword {
            asm.mov(dst, dst, .dword)
        }
    }

    /// Signed x / -1 = -x; x % -1 = 0.
    private mutating func divideByMinusOne(_ dst: X86Register, _ width: X86Width, modulo: Bool) {
        if modulo { asm.alu(.xor, dst, dst, .dword) } else { asm.neg(dst, width) }
    }
}
