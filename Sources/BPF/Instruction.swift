/// One 64-bit eBPF instruction slot (RFC 9669 §3): `opcode`, `dst_reg:4`, `src_reg:4`, `offset`, `imm`.
///
/// A 64-bit immediate load (`lddw`) occupies two consecutive slots; the second slot has opcode 0 and carries the
/// upper 32 bits of the immediate in its `imm`. Programs are arrays of slots, so jump offsets count slots exactly as
/// the kernel and clang do.
public struct Instruction: Hashable, Sendable {
    /// The full 8-bit opcode (class, source/size, operation/mode).
    public var opcode: UInt8
    /// Destination register number (0–10 are valid).
    public var dst: UInt8
    /// Source register number, or the pseudo kind of `lddw` and `call`.
    public var src: UInt8
    /// Signed 16-bit offset: jump distance, memory offset, or an operation variant (sdiv, movsx).
    public var offset: Int16
    /// Signed 32-bit immediate.
    public var imm: Int32

    /// Creates a slot from its fields.
    public init(opcode: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, imm: Int32 = 0) {
        self.opcode = opcode
        self.dst = dst
        self.src = src
        self.offset = offset
        self.imm = imm
    }

    /// Decodes a slot from its little-endian 64-bit encoding.
    public init(encoded word: UInt64) {
        opcode = UInt8(truncatingIfNeeded: word)
        let regs = UInt8(truncatingIfNeeded: word >> 8)
        dst = regs & 0x0f
        src = regs >> 4
        offset = Int16(truncatingIfNeeded: word >> 16)
        imm = Int32(truncatingIfNeeded: word >> 32)
    }

    /// The little-endian 64-bit encoding of this slot.
    public var encoded: UInt64 {
        UInt64(opcode)
            | UInt64((src << 4) | (dst & 0x0f)) << 8
            | UInt64(UInt16(bitPattern: offset)) << 16
            | UInt64(UInt32(bitPattern: imm)) << 32
    }

    /// `lddw`: the first of the two slots of a 64-bit immediate load.
    public var isLoadImmediate64: Bool { opcode == ISA.lddw }
    /// `call imm` (a helper, a local function or a kfunc, by `src`).
    public var isCall: Bool { opcode == ISA.call }
    /// A call of a local (bpf-to-bpf) function.
    public var isLocalCall: Bool { isCall && src == ISA.CallKind.local }
    /// `exit`.
    public var isExit: Bool { opcode == ISA.exit }

    /// The instruction class (low three opcode bits).
    public var instructionClass: InstructionClass { InstructionClass(rawValue: opcode & 0x07)! }

    /// Decodes a byte stream (8 bytes per slot, little-endian). Fails if the length is not a multiple of 8.
    public static func decode(_ bytes: some Collection<UInt8>) throws(DecodingError) -> [Instruction] {
        guard bytes.count % 8 == 0 else { throw DecodingError(byteCount: bytes.count) }
        var result: [Instruction] = []
        result.reserveCapacity(bytes.count / 8)
        var word: UInt64 = 0
        var shift: UInt64 = 0
        for byte in bytes {
            word |= UInt64(byte) << shift
            shift += 8
            if shift == 64 {
                result.append(Instruction(encoded: word))
                word = 0
                shift = 0
            }
        }
        return result
    }

    /// Encodes slots as bytes (8 bytes per slot, little-endian).
    public static func encode(_ instructions: [Instruction]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(instructions.count * 8)
        for instruction in instructions {
            let word = instruction.encoded
            for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(i)))) }
        }
        return bytes
    }

    /// The two slots of `lddw dst, value` with the given pseudo kind.
    public static func loadImmediate64(
        dst: UInt8, _ value: UInt64, kind: PseudoLoadKind = .immediate
    ) -> [Instruction] {
        [
            Instruction(opcode: ISA.lddw, dst: dst, src: kind.rawValue, imm: Int32(truncatingIfNeeded: value)),
            Instruction(opcode: 0, imm: Int32(truncatingIfNeeded: value >> 32)),
        ]
    }
}

/// A byte stream whose length is not a whole number of instruction slots.
public struct DecodingError: Error, CustomStringConvertible, Sendable {
    /// The length of the rejected byte stream.
    public var byteCount: Int
    /// A one-line explanation.
    public var description: String {
        "program length \(byteCount) bytes is not a multiple of 8 (truncated instruction at slot \(byteCount / 8))"
    }
}

/// The eight instruction classes of RFC 9669 §3.
public enum InstructionClass: UInt8, Sendable {
    case ld = 0, ldx, st, stx, alu, jmp, jmp32, alu64
}

/// The meaning of `src_reg` in an `lddw` (RFC 9669 §5.4): how the 64-bit immediate is to be resolved.
public enum PseudoLoadKind: UInt8, Sendable, CaseIterable {
    /// A plain 64-bit constant.
    case immediate = 0
    /// `imm` is a map file descriptor; the value is the map's address.
    case mapFD = 1
    /// `imm` is a map file descriptor and the next `imm` an offset into the map's value.
    case mapValue = 2
    /// `imm` is a BTF id of a kernel variable (`BPF_PSEUDO_BTF_ID`).
    case btfID = 3
    /// `imm` is a pc-relative instruction offset of a function (`BPF_PSEUDO_FUNC`).
    case function = 4
    /// `imm` is a map index.
    case mapIndex = 5
    /// `imm` is a map index and the next `imm` an offset into the map's value.
    case mapIndexValue = 6
}

/// The instruction set (RFC 9669) as named constants: opcode bytes and field values.
public enum ISA {
    /// `lddw`: class LD, size DW, mode IMM.
    public static let lddw: UInt8 = 0x18
    /// `call imm` (helper, local or kfunc according to `src`).
    public static let call: UInt8 = 0x85
    /// `callx dst`: call the helper whose id is in a register.
    public static let callx: UInt8 = 0x8d
    /// `exit`.
    public static let exit: UInt8 = 0x95
    /// `ja +off`.
    public static let ja: UInt8 = 0x05
    /// `gotol +imm` (JMP32 class JA).
    public static let ja32: UInt8 = 0x06

    /// ALU operation codes (upper four bits).
    public enum ALU {
        public static let add: UInt8 = 0x00, sub: UInt8 = 0x10, mul: UInt8 = 0x20, div: UInt8 = 0x30
        public static let or: UInt8 = 0x40, and: UInt8 = 0x50, lsh: UInt8 = 0x60, rsh: UInt8 = 0x70
        public static let neg: UInt8 = 0x80, mod: UInt8 = 0x90, xor: UInt8 = 0xa0, mov: UInt8 = 0xb0
        public static let arsh: UInt8 = 0xc0, end: UInt8 = 0xd0
    }

    /// Jump operation codes (upper four bits).
    public enum JMP {
        public static let ja: UInt8 = 0x00, jeq: UInt8 = 0x10, jgt: UInt8 = 0x20, jge: UInt8 = 0x30
        public static let jset: UInt8 = 0x40, jne: UInt8 = 0x50, jsgt: UInt8 = 0x60, jsge: UInt8 = 0x70
        public static let call: UInt8 = 0x80, exit: UInt8 = 0x90, jlt: UInt8 = 0xa0, jle: UInt8 = 0xb0
        public static let jslt: UInt8 = 0xc0, jsle: UInt8 = 0xd0
    }

    /// The source bit of ALU and JMP opcodes: immediate (K) or register (X).
    public static let sourceK: UInt8 = 0x00
    /// Register source.
    public static let sourceX: UInt8 = 0x08

    /// Access sizes of load/store opcodes.
    public enum Size {
        public static let w: UInt8 = 0x00, h: UInt8 = 0x08, b: UInt8 = 0x10, dw: UInt8 = 0x18
        /// Bytes accessed by a size code.
        public static func bytes(_ size: UInt8) -> Int {
            switch size & 0x18 {
            case w: 4
            case h: 2
            case b: 1
            default: 8
            }
        }
    }

    /// Load/store modes.
    public enum Mode {
        public static let imm: UInt8 = 0x00, abs: UInt8 = 0x20, ind: UInt8 = 0x40, mem: UInt8 = 0x60
        public static let memsx: UInt8 = 0x80, atomic: UInt8 = 0xc0
    }

    /// Atomic operations (the `imm` of an atomic store).
    public enum Atomic {
        public static let add: Int32 = 0x00, or: Int32 = 0x40, and: Int32 = 0x50, xor: Int32 = 0xa0
        /// Flag: also return the old value in `src`.
        public static let fetch: Int32 = 0x01
        public static let xchg: Int32 = 0xe1, cmpxchg: Int32 = 0xf1
    }

    /// `src` values of `call`.
    public enum CallKind {
        public static let helper: UInt8 = 0, local: UInt8 = 1, kfunc: UInt8 = 2
    }
}
