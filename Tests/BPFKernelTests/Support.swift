#if canImport(Glibc)
import Glibc
#endif

/// bpf() needs CAP_BPF/CAP_SYS_ADMIN; the test machines and the VM guest run as root.
let runningAsRoot = geteuid() == 0

/// Encodes one 8-byte BPF instruction by hand (opcode, dst/src registers, offset, immediate; little-endian).
func instruction(_ opcode: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, immediate: Int32 = 0) -> [UInt8] {
    var bytes: [UInt8] = [opcode, (src << 4) | (dst & 0x0f)]
    withUnsafeBytes(of: offset.littleEndian) { bytes += $0 }
    withUnsafeBytes(of: immediate.littleEndian) { bytes += $0 }
    return bytes
}

/// `r0 = imm` (BPF_ALU64 | BPF_MOV | BPF_K).
func movR0(_ immediate: Int32) -> [UInt8] { instruction(0xb7, dst: 0, immediate: immediate) }
/// `exit` (BPF_JMP | BPF_EXIT).
let exitInstruction = instruction(0x95)

func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

/// Raw BTF: the 24-byte header, a type section holding `types`, and a string section holding `strings`.
func btfBlob(types: [UInt8], strings: [UInt8]) -> [UInt8] {
    var blob: [UInt8] = littleEndian(UInt16(0xeB9F)) + [1, 0]  // magic, version 1, flags 0
    blob += littleEndian(UInt32(24))  // hdr_len
    blob += littleEndian(UInt32(0)) + littleEndian(UInt32(types.count))  // type_off, type_len
    blob += littleEndian(UInt32(types.count)) + littleEndian(UInt32(strings.count))  // str_off, str_len
    return blob + types + strings
}

/// BTF_KIND_INT named by string offset 1: `size` bytes, `bits` bits, signed.
func btfInt(size: UInt32, bits: UInt32) -> [UInt8] {
    littleEndian(UInt32(1)) + littleEndian(UInt32(1) << 24) + littleEndian(size)  // name_off, info(kind INT), size
        + littleEndian((UInt32(1) << 24) | bits)  // encoding SIGNED, offset 0, nr_bits
}

/// A minimal valid BTF blob: type 1 is `int` (4 bytes, 32 bits).
let intBTF = btfBlob(types: btfInt(size: 4, bits: 32), strings: Array("\0int\0".utf8))
