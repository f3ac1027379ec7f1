/// Turns instructions into text: the BPF syntax of llvm-objdump (LLVM 21, the Swift toolchain's:
/// `r1 = *(u64 *)(r10 - 0x8)`, `w1 >>= 0x4`, `if r1 > 0x10 goto +0x3`, `call bpf_io_uring_submit_sqes` with a
/// symbolizer) or uBPF's assembler syntax (which ``Assembler`` reads back).
public struct Disassembler {
    /// Output syntax.
    public enum Syntax: Sendable {
        /// LLVM 21 llvm-objdump's BPF syntax, line for line (`<unknown>` where it cannot decode).
        case llvm
        /// uBPF / bpf_conformance assembler syntax; `Assembler.assemble` reads it back.
        case ubpf
    }

    /// Names the target of a `call` (helper or kfunc) or the value of a pseudo `lddw`; `nil` for the default.
    public typealias Symbolizer = (_ instruction: Instruction, _ index: Int) -> String?

    /// Output syntax.
    public var syntax: Syntax
    /// Names calls and pseudo loads.
    public var symbolizer: Symbolizer?

    /// Creates a disassembler.
    public init(syntax: Syntax = .llvm, symbolizer: Symbolizer? = nil) {
        self.syntax = syntax
        self.symbolizer = symbolizer
    }

    /// A symbolizer naming helpers by their registered names and kfunc calls by the program's bindings or by
    /// the registered BTF id.
    public static func symbolizer(program: Program, functions: HostFunctions) -> Symbolizer {
        { insn, index in
            guard insn.opcode == ISA.call else { return nil }
            switch insn.src {
            case ISA.CallKind.helper: return functions.helperName(insn.imm)
            case ISA.CallKind.kfunc: return program.kfuncBindings[index] ?? functions.kfuncName(btfID: insn.imm)
            default: return nil
            }
        }
    }

    /// One line per instruction (an `lddw` gives one line for its two slots), paired with its slot index.
    public func disassemble(_ instructions: [Instruction]) -> [(index: Int, text: String)] {
        var lines: [(Int, String)] = []
        var i = 0
        while i < instructions.count {
            let next = i + 1 < instructions.count ? instructions[i + 1] : nil
            lines.append((i, text(instructions[i], next: next, at: i)))
            i += Self.isTwoSlotLoad(instructions[i]) ? 2 : 1
        }
        return lines
    }

    /// Whether an instruction takes two slots as llvm-objdump reads it: an `lddw` it decodes (offset 0).
    static func isTwoSlotLoad(_ insn: Instruction) -> Bool { insn.opcode == ISA.lddw && insn.offset == 0 }

    /// A listing like llvm-objdump's: `   3:  79 a1 f8 ff 00 00 00 00  r1 = *(u64 *)(r10 - 8)`.
    public func listing(_ instructions: [Instruction]) -> String {
        disassemble(instructions).map { index, text in
            let slots = Self.isTwoSlotLoad(instructions[index]) ? 2 : 1  // an lddw shows its 16 bytes
            let bytes = Instruction.encode(Array(instructions[index..<min(index + slots, instructions.count)]))
                .map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
            let number = String(index)
            return String(repeating: " ", count: max(0, 4 - number.count)) + number + ":\t" + bytes + "\t" + text
        }.joined(separator: "\n")
    }

    /// The text of one instruction; `next` is needed for `lddw`.
    public func text(_ insn: Instruction, next: Instruction? = nil, at index: Int = 0) -> String {
        syntax == .llvm ? llvm(insn, next: next, at: index) : ubpf(insn, next: next, at: index)
    }

    // MARK: llvm syntax

    /// `0x7`, `-0x10`: llvm-objdump's immediates.
    private static func hex(_ v: Int64) -> String {
        (v < 0 ? "-0x" : "0x") + String(v.magnitude, radix: 16)
    }
    /// `+0x3`, `-0x4`: jump offsets.
    private static func rel(_ v: Int64) -> String { v < 0 ? hex(v) : "+" + hex(v) }
    /// `r10 - 0x8`, `r1 + 0x0`.
    private static func mem(_ reg: UInt8, _ off: Int16) throws(Unknown) -> String {
        "\(try register(reg, wide: true)) \(off < 0 ? "-" : "+") \(hex(abs(Int64(off))))"
    }
    private static func sizeName(_ op: UInt8, signed: Bool = false) -> String {
        (signed ? "s" : "u") + String(ISA.Size.bytes(op) * 8)
    }
    /// `w` for sub-register values (32-bit ALU, loads and stores under 8 bytes), `r` for 64-bit ones: LLVM 21's
    /// llvm-objdump always decodes with alu32 (its default CPU is v3), whatever CPU built the object (e_flags is 0).
    /// LLVM knows r0-r11; an instruction naming r12-r15 is `<unknown>`.
    private static func register(_ reg: UInt8, wide: Bool) throws(Unknown) -> String {
        guard reg <= 11 else { throw Unknown() }
        return (wide ? "r" : "w") + String(reg)
    }
    /// An instruction llvm-objdump prints as `<unknown>`.
    private struct Unknown: Error {}

    /// `may_goto` (`BPF_JMP | BPF_JCOND`): a bounded-loop escape the verifier understands.
    private static let mayGoto: UInt8 = 0xe5

    private func llvm(_ insn: Instruction, next: Instruction?, at index: Int) -> String {
        (try? llvmText(insn, next: next, at: index)) ?? "<unknown>"
    }

    /// The text llvm-objdump prints, or `nil` (or `Unknown`) where it prints `<unknown>`: LLVM's decoder checks
    /// only the fields an instruction defines (an ALU op's offset, `exit`'s imm, an `lddw`'s offset, registers
    /// up to r11) and ignores the rest (a K operation's src, an X one's imm, a jump's unused fields).
    private func llvmText(_ insn: Instruction, next: Instruction?, at index: Int) throws(Unknown) -> String? {
        let op = insn.opcode
        let isX = op & ISA.sourceX != 0
        let d = insn.dst, s = insn.src, off = insn.offset, imm = Int64(insn.imm)
        switch insn.instructionClass {
        case .alu, .alu64:
            let is64 = insn.instructionClass == .alu64
            let code = op & 0xf0
            let rd = try Self.register(d, wide: is64)
            let rs = isX && code != ISA.ALU.end ? try Self.register(s, wide: is64) : ""  // be ignores src
            switch code {
            case ISA.ALU.neg: return isX ? nil : "\(rd) = -\(rd)"
            case ISA.ALU.end:
                guard [16, 32, 64].contains(imm), !(is64 && isX) else { return nil }
                let r = try Self.register(d, wide: true)
                return "\(r) = \(is64 ? "bswap" : isX ? "be" : "le")\(imm) \(r)"
            case ISA.ALU.mov where isX && off != 0:
                if is64 && off == 1 {
                    let bits = UInt32(bitPattern: insn.imm)
                    return "\(rd) = addr_space_cast(\(rs), \(Self.hex(Int64(bits >> 16))), \(Self.hex(Int64(bits & 0xffff))))"
                }
                guard off == 8 || off == 16 || (is64 && off == 32) else { return nil }
                return "\(rd) = (s\(off))\(rs)"
            default:
                let symbols: [UInt8: String] = [
                    0x00: "+=", 0x10: "-=", 0x20: "*=", 0x30: "/=", 0x40: "|=", 0x50: "&=", 0x60: "<<=",
                    0x70: ">>=", 0x90: "%=", 0xa0: "^=", 0xb0: "=", 0xc0: "s>>=",
                ]
                guard let sym = symbols[code] else { return nil }
                let signed = code == ISA.ALU.div || code == ISA.ALU.mod
                guard off == 0 || (signed && off == 1) else { return nil }
                return "\(rd) \(off == 1 ? "s" : "")\(sym) \(isX ? rs : Self.hex(imm))"
            }
        case .jmp, .jmp32:
            let is32 = insn.instructionClass == .jmp32
            switch op {
            case ISA.ja: return "goto \(Self.rel(Int64(off)))"
            case ISA.ja32: return "gotol \(Self.rel(imm))"
            case ISA.exit: return imm == 0 ? "exit" : nil
            case Self.mayGoto: return "may_goto \(Self.rel(Int64(off)))"
            case ISA.callx: return "callx \(try Self.register(d, wide: true))"
            case ISA.call:
                if let name = symbolizer?(insn, index) { return "call \(name)" }
                return "call \(Self.hex(imm))"  // as llvm-objdump: helper id, pc-relative offset or BTF id
            default: break
            }
            let symbols: [UInt8: String] = [
                0x10: "==", 0x20: ">", 0x30: ">=", 0x40: "&", 0x50: "!=", 0x60: "s>", 0x70: "s>=", 0xa0: "<",
                0xb0: "<=", 0xc0: "s<", 0xd0: "s<=",
            ]
            guard let sym = symbols[op & 0xf0] else { return nil }
            let operand = isX ? try Self.register(s, wide: !is32) : Self.hex(imm)
            return "if \(try Self.register(d, wide: !is32)) \(sym) \(operand) goto \(Self.rel(Int64(off)))"
        case .ld:
            let mode = op & 0xe0
            if mode == ISA.Mode.abs || mode == ISA.Mode.ind {  // legacy packet loads
                guard op & 0x18 != ISA.Size.dw else { return nil }
                let at = mode == ISA.Mode.abs ? Self.hex(imm) : try Self.register(s, wide: true)
                return "r0 = *(\(Self.sizeName(op)) *)skb[\(at)]"
            }
            guard Self.isTwoSlotLoad(insn) else { return nil }
            let rd = try Self.register(d, wide: true)
            if let name = symbolizer?(insn, index) { return "\(rd) = \(name) ll" }
            guard s == 0 else {  // a pseudo load (map fd, map value, BTF id, ...): kind and first imm
                return "ld_pseudo\t\(rd), \(Self.hex(Int64(s))), \(Self.hex(Int64(UInt32(bitPattern: insn.imm))))"
            }
            let hi = UInt64(UInt32(bitPattern: next?.imm ?? 0))
            let value = UInt64(UInt32(bitPattern: insn.imm)) | hi << 32
            return "\(rd) = \(Self.hex(Int64(bitPattern: value))) ll"
        case .ldx:
            switch op & 0xe0 {
            case ISA.Mode.mem:
                let wide = op & 0x18 == ISA.Size.dw
                return "\(try Self.register(d, wide: wide)) = *(\(Self.sizeName(op)) *)(\(try Self.mem(s, off)))"
            case ISA.Mode.memsx:
                guard op & 0x18 != ISA.Size.dw else { return nil }
                return "\(try Self.register(d, wide: true)) = *(\(Self.sizeName(op, signed: true)) *)(\(try Self.mem(s, off)))"
            default: return nil
            }
        case .st:
            guard op & 0xe0 == ISA.Mode.mem else { return nil }
            return "*(\(Self.sizeName(op)) *)(\(try Self.mem(d, off))) = \(Self.hex(imm))"
        case .stx:
            let wide = op & 0x18 == ISA.Size.dw
            let size = Self.sizeName(op)
            let rs = try Self.register(s, wide: wide)
            switch op & 0xe0 {
            case ISA.Mode.mem: return "*(\(size) *)(\(try Self.mem(d, off))) = \(rs)"
            case ISA.Mode.atomic: break
            default: return nil
            }
            // LLVM's decoder reads imm bits 0-8 (higher ones are ignored): bit 8 with op 0x00 is load-acquire
            // (unless it is fetch-add, 0x101), with op 0x10 store-release; 0x00/0x40/0x50/0xa0 are add/or/and/xor,
            // with bit 0 their fetch forms; 0xe1 and 0xf1 xchg and cmpxchg. Bytes and halves: acquire/release only.
            let code = insn.imm & 0xf0, fetch = insn.imm & 0x0f == ISA.Atomic.fetch, release = insn.imm & 0x100 != 0
            let address = try Self.mem(d, off)
            if release && code == 0x00 && !(fetch && (wide || op & 0x18 == ISA.Size.w)) {
                return "\(try Self.register(d, wide: wide)) = load_acquire((\(size) *)(\(try Self.mem(s, off))))"
            }
            if release && code == 0x10 { return "store_release((\(size) *)(\(address)), \(rs))" }
            guard op & 0x18 == ISA.Size.w || wide else { return nil }
            let bits = wide ? "64" : "32"
            switch code {
            case 0xe0 where fetch: return "\(rs) = xchg\(wide ? "" : "32")_\(bits)(\(address), \(rs))"
            case 0xf0 where fetch:
                let r0 = try Self.register(0, wide: wide)
                return "\(r0) = cmpxchg\(wide ? "" : "32")_\(bits)(\(address), \(r0), \(rs))"
            default:
                let names: [Int32: (String, String)] = [
                    ISA.Atomic.add: ("+=", "add"), ISA.Atomic.or: ("|=", "or"),
                    ISA.Atomic.and: ("&=", "and"), ISA.Atomic.xor: ("^=", "xor"),
                ]
                guard let (sym, name) = names[code].map({ ($0.0, $0.1) }) else { return nil }
                if fetch { return "\(rs) = atomic_fetch_\(name)((\(size) *)(\(address)), \(rs))" }
                return "lock *(\(size) *)(\(address)) \(sym) \(rs)"
            }
        }
    }

    // MARK: uBPF syntax

    private static func urel(_ v: Int) -> String { v < 0 ? "\(v)" : "+\(v)" }
    private static func umem(_ reg: UInt8, _ off: Int16) -> String {
        off < 0 ? "[%r\(reg)-\(Int(off).magnitude)]" : "[%r\(reg)+\(off)]"
    }

    private func ubpf(_ insn: Instruction, next: Instruction?, at index: Int) -> String {
        let op = insn.opcode
        let isX = op & ISA.sourceX != 0
        let d = insn.dst, s = insn.src
        let sizes: [UInt8: String] = [0x00: "w", 0x08: "h", 0x10: "b", 0x18: "dw"]
        let size = sizes[op & 0x18]!
        switch insn.instructionClass {
        case .alu, .alu64:
            let is64 = insn.instructionClass == .alu64
            let w = is64 ? "" : "32"
            let operand = isX ? "%r\(s)" : String(insn.imm)
            let code = op & 0xf0
            switch code {
            case ISA.ALU.neg: return "neg\(w) %r\(d)"
            case ISA.ALU.end: return "\(is64 ? "bswap" : (isX ? "be" : "le"))\(insn.imm) %r\(d)"
            case ISA.ALU.mov where isX && insn.offset != 0:
                return "movsx\(insn.offset)\(is64 ? 64 : 32) %r\(d), %r\(s)"
            default:
                let names: [UInt8: String] = [
                    0x00: "add", 0x10: "sub", 0x20: "mul", 0x30: "div", 0x40: "or", 0x50: "and", 0x60: "lsh",
                    0x70: "rsh", 0x90: "mod", 0xa0: "xor", 0xb0: "mov", 0xc0: "arsh",
                ]
                let signed = insn.offset == 1 && (code == ISA.ALU.div || code == ISA.ALU.mod)
                return "\(signed ? "s" : "")\(names[code] ?? "?")\(w) %r\(d), \(operand)"
            }
        case .jmp, .jmp32:
            switch op {
            case ISA.ja: return "ja \(Self.urel(Int(insn.offset)))"
            case ISA.ja32: return "ja32 \(Self.urel(Int(insn.imm)))"
            case ISA.exit: return "exit"
            case ISA.callx: return "call %r\(d)"
            case ISA.call:
                switch insn.src {
                case ISA.CallKind.local: return "call local \(Self.urel(Int(insn.imm)))"
                case ISA.CallKind.kfunc: return "call kfunc \(insn.imm)"
                default: return "call \(insn.imm)"
                }
            default:
                let names: [UInt8: String] = [
                    0x10: "jeq", 0x20: "jgt", 0x30: "jge", 0x40: "jset", 0x50: "jne", 0x60: "jsgt", 0x70: "jsge",
                    0xa0: "jlt", 0xb0: "jle", 0xc0: "jslt", 0xd0: "jsle",
                ]
                let w = insn.instructionClass == .jmp32 ? "32" : ""
                let operand = isX ? "%r\(s)" : String(insn.imm)
                return "\(names[op & 0xf0] ?? "?")\(w) %r\(d), \(operand), \(Self.urel(Int(insn.offset)))"
            }
        case .ld:
            let hi = UInt64(UInt32(bitPattern: next?.imm ?? 0))
            let value = UInt64(UInt32(bitPattern: insn.imm)) | hi << 32
            return "lddw %r\(d), 0x\(String(value, radix: 16))"
        case .ldx:
            let signed = op & 0xe0 == ISA.Mode.memsx
            return "ldx\(signed ? "s" : "")\(size) %r\(d), \(Self.umem(s, insn.offset))"
        case .st:
            return "st\(size) \(Self.umem(d, insn.offset)), \(insn.imm)"
        case .stx:
            if op & 0xe0 != ISA.Mode.atomic { return "stx\(size) \(Self.umem(d, insn.offset)), %r\(s)" }
            let w = op & 0x18 == ISA.Size.dw ? "" : "32"
            let names: [Int32: String] = [
                ISA.Atomic.add: "add", ISA.Atomic.or: "or", ISA.Atomic.and: "and", ISA.Atomic.xor: "xor",
                ISA.Atomic.xchg: "xchg", ISA.Atomic.cmpxchg: "cmpxchg",
            ]
            let isFetch = insn.imm & ISA.Atomic.fetch != 0 && insn.imm != ISA.Atomic.xchg
                && insn.imm != ISA.Atomic.cmpxchg
            let name = names[isFetch ? insn.imm & ~ISA.Atomic.fetch : insn.imm] ?? "?"
            return "lock \(isFetch ? "fetch " : "")\(name)\(w) \(Self.umem(d, insn.offset)), %r\(s)"
        }
    }
}
