/// One 8-byte eBPF instruction record as stored in the object: opcode,
/// registers, offset and immediate. `lddw` (ld_imm64) occupies two records; the
/// second carries the upper 32 bits of the immediate in its `imm`.
///
/// This module does no decoding beyond what relocation needs; the `BPF`
/// module owns the instruction set.
public struct RawInstruction: Equatable, Hashable, Sendable {
    /// The opcode byte (class, size/operation, source bits).
    public var opcode: UInt8
    /// Destination register (low nibble of byte 1).
    public var dst: UInt8
    /// Source register (high nibble of byte 1); also carries `BPF_PSEUDO_*` markers.
    public var src: UInt8
    /// Byte offset (for instructions: the 16-bit jump/memory offset).
    public var offset: Int16
    /// The 32-bit immediate.
    public var imm: Int32

    public init(opcode: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, imm: Int32 = 0) {
        self.opcode = opcode
        self.dst = dst
        self.src = src
        self.offset = offset
        self.imm = imm
    }

    /// Decodes 8 little-endian bytes starting at `index` of `bytes` (caller checks bounds).
    init(_ bytes: [UInt8], at index: Int) {
        opcode = bytes[index]
        dst = bytes[index + 1] & 0xf
        src = bytes[index + 1] >> 4
        offset = Int16(bitPattern: UInt16(bytes[index + 2]) | UInt16(bytes[index + 3]) << 8)
        imm = Int32(bitPattern: UInt32(bytes[index + 4]) | UInt32(bytes[index + 5]) << 8
            | UInt32(bytes[index + 6]) << 16 | UInt32(bytes[index + 7]) << 24)
    }

    /// The 8-byte little-endian encoding.
    public var bytes: [UInt8] {
        let o = UInt16(bitPattern: offset), i = UInt32(bitPattern: imm)
        return [opcode, dst & 0xf | src << 4, UInt8(o & 0xff), UInt8(o >> 8),
                UInt8(i & 0xff), UInt8((i >> 8) & 0xff), UInt8((i >> 16) & 0xff), UInt8(i >> 24)]
    }

    /// `BPF_LD | BPF_IMM | BPF_DW` (0x18): the first half of a 16-byte load.
    public var isLoadImm64: Bool { opcode == 0x18 }
    /// `BPF_JMP | BPF_CALL` (0x85).
    public var isCall: Bool { opcode == 0x85 }
    /// A bpf-to-bpf call (`src == BPF_PSEUDO_CALL`).
    public var isPseudoCall: Bool { isCall && src == RawInstruction.pseudoCall }
    /// `BPF_JMP | BPF_EXIT` (0x95).
    public var isExit: Bool { opcode == 0x95 }

    /// `src` of a bpf-to-bpf call.
    public static let pseudoCall: UInt8 = 1
    /// `src` of a kfunc call (set by loaders after resolving it).
    public static let pseudoKfuncCall: UInt8 = 2
    /// `src` of an ld_imm64 that loads a function's address (callbacks).
    public static let pseudoFunc: UInt8 = 4
}
