/// An x86-64 general-purpose register, numbered as the instruction encoding numbers it.
enum X86Register: UInt8, CaseIterable {
    case rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15

    /// The three bits that go into ModRM / SIB / the opcode.
    var low: UInt8 { rawValue & 7 }
    /// r8–r15 need a REX extension bit.
    var isExtended: Bool { rawValue >= 8 }
}

/// A memory operand `[base + displacement]`: the only addressing mode the JIT needs.
struct X86Memory {
    var base: X86Register
    var displacement: Int32

    init(_ base: X86Register, _ displacement: Int32 = 0) {
        self.base = base
        self.displacement = displacement
    }
}

/// Operand width of an instruction.
enum X86Width: Int {
    case byte = 1, word = 2, dword = 4, qword = 8
}

/// Condition codes of `jcc`/`setcc`, as encoded.
enum X86Condition: UInt8 {
    case overflow = 0, noOverflow, below, aboveOrEqual, equal, notEqual, belowOrEqual, above
    case sign, notSign, parity, noParity, less, greaterOrEqual, lessOrEqual, greater

    /// The condition that holds exactly when this one does not (the encoding flips the low bit).
    var inverted: X86Condition { X86Condition(rawValue: rawValue ^ 1)! }
}

/// Binary ALU operations that share the classic encoding (`op r/m, reg`, `op reg, r/m`, `81 /n`).
enum X86ALU: UInt8 {
    case add = 0, or = 1, and = 4, sub = 5, xor = 6, cmp = 7
}

/// Shift and rotate operations (`C1 /n`, `D3 /n`).
enum X86Shift: UInt8 {
    case rol = 0, ror = 1, shl = 4, shr = 5, sar = 7
}

/// A position in the code that jumps and calls can refer to before it is bound.
struct X86Label: Hashable {
    fileprivate let id: Int
}

/// Encodes x86-64 instructions into a byte buffer, with labels for forward and backward branches (all branches
/// use 32-bit displacements, so the layout never changes after emission).
///
/// Only the forms the JIT needs are here; the names follow Intel syntax (`mov dst, src`).
struct X86Assembler {
    private(set) var bytes: [UInt8] = []
    private var labelOffsets: [Int?] = []
    /// rel32 fields to patch: where the field is, which label it refers to.
    private var fixups: [(field: Int, label: Int)] = []

    var offset: Int { bytes.count }

    // MARK: Labels

    mutating func makeLabel() -> X86Label {
        labelOffsets.append(nil)
        return X86Label(id: labelOffsets.count - 1)
    }

    mutating func bind(_ label: X86Label) {
        precondition(labelOffsets[label.id] == nil, "label bound twice")
        labelOffsets[label.id] = bytes.count
    }

    func offset(of label: X86Label) -> Int? { labelOffsets[label.id] }

    /// The finished code: every branch patched. Traps if a referenced label was never bound (a compiler bug).
    func finish() -> [UInt8] {
        var code = bytes
        for fixup in fixups {
            guard let target = labelOffsets[fixup.label] else { preconditionFailure("unbound label") }
            let rel = Int32(target - (fixup.field + 4))
            withUnsafeBytes(of: rel.littleEndian) { raw in
                for i in 0..<4 { code[fixup.field + i] = raw[i] }
            }
        }
        return code
    }

    // MARK: Encoding primitives

    private enum Operand {
        case register(X86Register)
        case memory(X86Memory)
    }

    private mutating func byte(_ b: UInt8) { bytes.append(b) }

    private mutating func imm8(_ v: Int8) { bytes.append(UInt8(bitPattern: v)) }

    private mutating func imm16(_ v: Int16) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    private mutating func imm32(_ v: Int32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * Int32(i)))) }
    }

    private mutating func imm64(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    /// Emits `[66] [REX] [0F] opcode ModRM [SIB] [disp]` for an instruction whose ModRM.reg is `reg` (a register
    /// number or an opcode extension /n) and whose ModRM.rm is `rm`.
    ///
    /// `width` sets REX.W (qword) or the operand-size prefix (word). `byteRegisters` forces a REX prefix so
    /// that register numbers 4–7 in byte form mean spl/bpl/sil/dil rather than ah/ch/dh/bh.
    private mutating func emit(
        _ opcode: UInt8, twoByte: Bool = false, reg: UInt8, rm: Operand, width: X86Width, byteRegisters: Bool = false
    ) {
        if width == .word { byte(0x66) }
        var rex: UInt8 = 0
        if width == .qword { rex |= 0x08 }
        if reg >= 8 { rex |= 0x04 }
        switch rm {
        case .register(let r): if r.isExtended { rex |= 0x01 }
        case .memory(let m): if m.base.isExtended { rex |= 0x01 }
        }
        if rex != 0 || byteRegisters { byte(0x40 | rex) }
        if twoByte { byte(0x0F) }
        byte(opcode)
        let regBits = (reg & 7) << 3
        switch rm {
        case .register(let r):
            byte(0xC0 | regBits | r.low)
        case .memory(let m):
            let needsSIB = m.base.low == 4  // rsp, r12
            let mod: UInt8
            if m.displacement == 0 && m.base.low != 5 {  // rbp, r13 always take a displacement
                mod = 0x00
            } else if Int8(exactly: m.displacement) != nil {
                mod = 0x40
            } else {
                mod = 0x80
            }
            byte(mod | regBits | (needsSIB ? 4 : m.base.low))
            if needsSIB { byte(0x24) }
            if mod == 0x40 { imm8(Int8(m.displacement)) }
            if mod == 0x80 { imm32(m.displacement) }
        }
    }

    private static func fitsInt8(_ v: Int32) -> Bool { Int8(exactly: v) != nil }

    // MARK: Moves

    /// `mov dst, src` (a 32-bit move zero-extends into the upper half).
    mutating func mov(_ dst: X86Register, _ src: X86Register, _ width: X86Width = .qword) {
        emit(0x89, reg: src.rawValue, rm: .register(dst), width: width)
    }

    /// Loads a 64-bit constant in the shortest form (`mov r32, imm32` zero-extends; `mov r/m64, imm32`
    /// sign-extends; otherwise `movabs`).
    mutating func mov(_ dst: X86Register, immediate value: UInt64) {
        if value <= UInt64(UInt32.max) {
            if dst.isExtended { byte(0x41) }
            byte(0xB8 + dst.low)
            imm32(Int32(bitPattern: UInt32(value)))
        } else if let v = Int32(exactly: Int64(bitPattern: value)) {
            emit(0xC7, reg: 0, rm: .register(dst), width: .qword)
            imm32(v)
        } else {
            byte(0x48 | (dst.isExtended ? 1 : 0))
            byte(0xB8 + dst.low)
            imm64(value)
        }
    }

    /// `mov dst32, imm32` (zero-extends).
    mutating func mov32(_ dst: X86Register, immediate value: UInt32) {
        mov(dst, immediate: UInt64(value))
    }

    /// Loads `width` bytes from memory, zero-extending (byte/word/dword) into the 64-bit register.
    mutating func load(_ dst: X86Register, _ m: X86Memory, _ width: X86Width) {
        switch width {
        case .byte: emit(0xB6, twoByte: true, reg: dst.rawValue, rm: .memory(m), width: .dword)
        case .word: emit(0xB7, twoByte: true, reg: dst.rawValue, rm: .memory(m), width: .dword)
        case .dword: emit(0x8B, reg: dst.rawValue, rm: .memory(m), width: .dword)
        case .qword: emit(0x8B, reg: dst.rawValue, rm: .memory(m), width: .qword)
        }
    }

    /// Loads `width` bytes from memory, sign-extending into the 64-bit register.
    mutating func loadSignExtended(_ dst: X86Register, _ m: X86Memory, _ width: X86Width) {
        switch width {
        case .byte: emit(0xBE, twoByte: true, reg: dst.rawValue, rm: .memory(m), width: .qword)
        case .word: emit(0xBF, twoByte: true, reg: dst.rawValue, rm: .memory(m), width: .qword)
        case .dword: emit(0x63, reg: dst.rawValue, rm: .memory(m), width: .qword)
        case .qword: emit(0x8B, reg: dst.rawValue, rm: .memory(m), width: .qword)
        }
    }

    /// Stores the low `width` bytes of `src`.
    mutating func store(_ m: X86Memory, _ src: X86Register, _ width: X86Width) {
        emit(width == .byte ? 0x88 : 0x89, reg: src.rawValue, rm: .memory(m), width: width,
             byteRegisters: width == .byte && src.rawValue >= 4)
    }

    /// Stores an immediate of `width` bytes (a qword store sign-extends the 32-bit immediate).
    mutating func store(_ m: X86Memory, immediate value: Int32, _ width: X86Width) {
        switch width {
        case .byte:
            emit(0xC6, reg: 0, rm: .memory(m), width: .byte)
            imm8(Int8(truncatingIfNeeded: value))
        case .word:
            emit(0xC7, reg: 0, rm: .memory(m), width: .word)
            imm16(Int16(truncatingIfNeeded: value))
        case .dword, .qword:
            emit(0xC7, reg: 0, rm: .memory(m), width: width)
            imm32(value)
        }
    }

    /// `lea dst, [base + displacement]`.
    mutating func lea(_ dst: X86Register, _ m: X86Memory) {
        emit(0x8D, reg: dst.rawValue, rm: .memory(m), width: .qword)
    }

    /// Sign-extends the low `from` bytes of `src` into `dst` (`to`: dword zero-extends the result into 64 bits).
    mutating func movsx(_ dst: X86Register, _ src: X86Register, from: X86Width, to: X86Width) {
        switch from {
        case .byte: emit(0xBE, twoByte: true, reg: dst.rawValue, rm: .register(src), width: to, byteRegisters: src.rawValue >= 4)
        case .word: emit(0xBF, twoByte: true, reg: dst.rawValue, rm: .register(src), width: to)
        case .dword, .qword: emit(0x63, reg: dst.rawValue, rm: .register(src), width: .qword)
        }
    }

    /// Zero-extends the low 16 bits of `src` into `dst`.
    mutating func movzx16(_ dst: X86Register, _ src: X86Register) {
        emit(0xB7, twoByte: true, reg: dst.rawValue, rm: .register(src), width: .dword)
    }

    // MARK: Arithmetic

    /// `op dst, src`.
    mutating func alu(_ op: X86ALU, _ dst: X86Register, _ src: X86Register, _ width: X86Width = .qword) {
        emit(op.rawValue << 3 | 0x01, reg: src.rawValue, rm: .register(dst), width: width)
    }

    /// `op dst, imm32` (sign-extended to 64 bits for qword).
    mutating func alu(_ op: X86ALU, _ dst: X86Register, immediate value: Int32, _ width: X86Width = .qword) {
        if Self.fitsInt8(value) {
            emit(0x83, reg: op.rawValue, rm: .register(dst), width: width)
            imm8(Int8(value))
        } else {
            emit(0x81, reg: op.rawValue, rm: .register(dst), width: width)
            imm32(value)
        }
    }

    /// `op dst, [m]`.
    mutating func alu(_ op: X86ALU, _ dst: X86Register, _ m: X86Memory, _ width: X86Width = .qword) {
        emit(op.rawValue << 3 | 0x03, reg: dst.rawValue, rm: .memory(m), width: width)
    }

    /// `op qword [m], imm32`.
    mutating func alu(_ op: X86ALU, _ m: X86Memory, immediate value: Int32, _ width: X86Width = .qword) {
        if Self.fitsInt8(value) {
            emit(0x83, reg: op.rawValue, rm: .memory(m), width: width)
            imm8(Int8(value))
        } else {
            emit(0x81, reg: op.rawValue, rm: .memory(m), width: width)
            imm32(value)
        }
    }

    /// `lock op [m], src` (add, or, and, xor).
    mutating func lockedALU(_ op: X86ALU, _ m: X86Memory, _ src: X86Register, _ width: X86Width) {
        byte(0xF0)
        emit(op.rawValue << 3 | 0x01, reg: src.rawValue, rm: .memory(m), width: width)
    }

    /// `cmovcc dst, src`.
    mutating func cmov(_ condition: X86Condition, _ dst: X86Register, _ src: X86Register, _ width: X86Width = .qword) {
        emit(0x40 + condition.rawValue, twoByte: true, reg: dst.rawValue, rm: .register(src), width: width)
    }

    /// `test a, b`.
    mutating func test(_ a: X86Register, _ b: X86Register, _ width: X86Width = .qword) {
        emit(0x85, reg: b.rawValue, rm: .register(a), width: width)
    }

    /// `test a, imm32` (sign-extended for qword).
    mutating func test(_ a: X86Register, immediate value: Int32, _ width: X86Width = .qword) {
        emit(0xF7, reg: 0, rm: .register(a), width: width)
        imm32(value)
    }

    /// `imul dst, src` (the low half of the product is the same signed or unsigned).
    mutating func imul(_ dst: X86Register, _ src: X86Register, _ width: X86Width = .qword) {
        emit(0xAF, twoByte: true, reg: dst.rawValue, rm: .register(src), width: width)
    }

    /// `imul dst, src, imm32`.
    mutating func imul(_ dst: X86Register, _ src: X86Register, immediate value: Int32, _ width: X86Width = .qword) {
        if Self.fitsInt8(value) {
            emit(0x6B, reg: dst.rawValue, rm: .register(src), width: width)
            imm8(Int8(value))
        } else {
            emit(0x69, reg: dst.rawValue, rm: .register(src), width: width)
            imm32(value)
        }
    }

    /// `shift dst, cl` (the CPU masks the count to 5 or 6 bits, as BPF does).
    mutating func shiftByCL(_ op: X86Shift, _ dst: X86Register, _ width: X86Width = .qword) {
        emit(0xD3, reg: op.rawValue, rm: .register(dst), width: width)
    }

    /// `shift dst, imm8`.
    mutating func shift(_ op: X86Shift, _ dst: X86Register, by count: UInt8, _ width: X86Width = .qword) {
        emit(0xC1, reg: op.rawValue, rm: .register(dst), width: width)
        byte(count)
    }

    mutating func neg(_ dst: X86Register, _ width: X86Width = .qword) {
        emit(0xF7, reg: 3, rm: .register(dst), width: width)
    }

    /// `div src`: unsigned rdx:rax / src → quotient rax, remainder rdx.
    mutating func div(_ src: X86Register, _ width: X86Width = .qword) {
        emit(0xF7, reg: 6, rm: .register(src), width: width)
    }

    /// `idiv src`: signed rdx:rax / src.
    mutating func idiv(_ src: X86Register, _ width: X86Width = .qword) {
        emit(0xF7, reg: 7, rm: .register(src), width: width)
    }

    /// `cqo` (qword) / `cdq` (dword): sign-extends rax into rdx.
    mutating func signExtendAccumulator(_ width: X86Width) {
        if width == .qword { byte(0x48) }
        byte(0x99)
    }

    /// `bswap dst` (dword zero-extends into the upper half).
    mutating func bswap(_ dst: X86Register, _ width: X86Width) {
        let rex: UInt8 = (width == .qword ? 0x08 : 0) | (dst.isExtended ? 0x01 : 0)
        if rex != 0 { byte(0x40 | rex) }
        byte(0x0F)
        byte(0xC8 + dst.low)
    }

    // MARK: Atomics (all `lock`ed, so sequentially consistent)

    /// `lock xadd [m], src`: src receives the old value.
    mutating func lockXadd(_ m: X86Memory, _ src: X86Register, _ width: X86Width) {
        byte(0xF0)
        emit(0xC1, twoByte: true, reg: src.rawValue, rm: .memory(m), width: width)
    }

    /// `lock cmpxchg [m], src`: compares with rax/eax; rax receives the old value on failure.
    mutating func lockCmpxchg(_ m: X86Memory, _ src: X86Register, _ width: X86Width) {
        byte(0xF0)
        emit(0xB1, twoByte: true, reg: src.rawValue, rm: .memory(m), width: width)
    }

    /// `xchg [m], src` (implicitly locked).
    mutating func xchg(_ m: X86Memory, _ src: X86Register, _ width: X86Width) {
        emit(0x87, reg: src.rawValue, rm: .memory(m), width: width)
    }

    // MARK: Control flow

    mutating func push(_ r: X86Register) {
        if r.isExtended { byte(0x41) }
        byte(0x50 + r.low)
    }

    mutating func pop(_ r: X86Register) {
        if r.isExtended { byte(0x41) }
        byte(0x58 + r.low)
    }

    mutating func ret() { byte(0xC3) }

    /// Pads with the fewest (multi-byte) NOPs to a multiple of `boundary` bytes.
    mutating func align(_ boundary: Int) {
        var padding = (boundary - bytes.count % boundary) % boundary
        let nops: [[UInt8]] = [
            [], [0x90], [0x66, 0x90], [0x0F, 0x1F, 0x00], [0x0F, 0x1F, 0x40, 0x00], [0x0F, 0x1F, 0x44, 0x00, 0x00],
            [0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00], [0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00],
            [0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00], [0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        ]
        while padding > 0 {
            let n = min(padding, 9)
            bytes.append(contentsOf: nops[n])
            padding -= n
        }
    }

    /// `ud2`: marks code that must never run.
    mutating func trap() { bytes.append(contentsOf: [0x0F, 0x0B]) }

    mutating func jmp(_ label: X86Label) {
        byte(0xE9)
        fixup(label)
    }

    mutating func jcc(_ condition: X86Condition, _ label: X86Label) {
        byte(0x0F)
        byte(0x80 + condition.rawValue)
        fixup(label)
    }

    mutating func call(_ label: X86Label) {
        byte(0xE8)
        fixup(label)
    }

    /// `call reg`.
    mutating func call(_ r: X86Register) {
        emit(0xFF, reg: 2, rm: .register(r), width: .dword)
    }

    private mutating func fixup(_ label: X86Label) {
        fixups.append((bytes.count, label.id))
        imm32(0)
    }
}
