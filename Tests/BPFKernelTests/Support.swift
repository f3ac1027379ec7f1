import BPFKernel
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

/// BTF_KIND_FUNC_PROTO with no parameters returning type `returnType`.
func btfFuncProto(returning returnType: UInt32) -> [UInt8] {
    littleEndian(UInt32(0)) + littleEndian(UInt32(13) << 24) + littleEndian(returnType)
}

/// BTF_KIND_FUNC named by string offset `name`, global linkage, of prototype `proto`.
func btfFunc(name: UInt32, proto: UInt32) -> [UInt8] {
    littleEndian(name) + littleEndian((UInt32(12) << 24) | 1) + littleEndian(proto)
}

/// BTF for one program: 1 = int, 2 = int (void), 3 = FUNC "prog"; strings hold a file name and two source lines.
struct ProgramBTF {
    static let strings = Array("\0int\0prog\0test.c\0return 0;\0return r0; /* never set */\0".utf8)
    static let fileName: UInt32 = 10
    static let returnZero: UInt32 = 17
    static let returnUnset: UInt32 = 27
    static let blob = btfBlob(
        types: btfInt(size: 4, bits: 32) + btfFuncProto(returning: 1) + btfFunc(name: 5, proto: 2), strings: strings)

    /// `bpf_func_info` for a program whose first instruction is FUNC 3.
    static let funcInfo = BTFExtRecords(recordSize: 8, bytes: littleEndian(UInt32(0)) + littleEndian(UInt32(3)))

    /// `bpf_line_info` records: (instruction index, source text offset, line number).
    static func lineInfo(_ lines: [(instruction: UInt32, text: UInt32, line: UInt32)]) -> BTFExtRecords {
        BTFExtRecords(
            recordSize: 16,
            bytes: lines.flatMap {
                littleEndian($0.instruction) + littleEndian(fileName) + littleEndian($0.text)
                    + littleEndian($0.line << 10 | 1)  // line_col: line << 10 | column
            })
    }
}
