/// Turns instructions into text: llvm-objdump's BPF syntax (`r1 = *(u64 *)(r10 - 8)`, `if r1 > 16 goto +3`,
/// `call bpf_io_uring_submit_sqes`; immediates in decimal as llvm-objdump prints them) or uBPF's assembler syntax
/// (which `Assembler` reads back). Pseudo `lddw`s show their kind (`r1 = map_fd(3) ll`), which llvm-objdump
/// leaves to relocations.
public struct Disassembler {
    /// Output syntax.
    public enum Syntax: Sendable {
        /// llvm-objdump's BPF syntax.
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
            guard insn.opcode == Opcode.call else { return nil }
            switch insn.src {
            case Opcode.CallKind.helper: return functions.helperName(insn.imm)
            case Opcode.CallKind.kfunc: return program.kfuncBindings[index] ?? functions.kfuncName(btfID: insn.imm)
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
            i += instructions[i].opcode == Opcode.lddw ? 2 : 1
        }
        return lines
    }

    /// A listing like llvm-objdump's: `   3:  79 a1 f8 ff 00 00 00 00  r1 = *(u64 *)(r10 - 8)`.
    public func listing(_ instructions: [Instruction]) -> String {
        disassemble(instructions).map { index, text in
            let bytes = Instruction.encode([instructions[index]])
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

    private static func int(_ v: Int32) -> String { String(v) }
    private static func rel(_ v: Int) -> String { v < 0 ? "\(v)" : "+\(v)" }
    private static func mem(_ reg: UInt8, _ off: Int16) -> String {
        off < 0 ? "r\(reg) - \(Int(off).magnitude)" : "r\(reg) + \(off)"
    }
    private static func sizeName(_ op: UInt8, signed: Bool = false) -> String {
        (signed ? "s" : "u") + String(Opcode.Size.bytes(op) * 8)
    }

    private func llvm(_ insn: Instruction, next: Instruction?, at index: Int) -> String {
        let op = insn.opcode
        let isX = op & Opcode.sourceX != 0
        let d = insn.dst, s = insn.src
        switch insn.instructionClass {
        case .alu, .alu64:
            let is64 = insn.instructionClass == .alu64
            let p = is64 ? "r" : "w"
            let operand = isX ? "\(p)\(s)" : Self.int(insn.imm)
            let code = op & 0xf0
            switch code {
            case Opcode.ALU.neg: return "\(p)\(d) = -\(p)\(d)"
            case Opcode.ALU.end:
                let kind = is64 ? "bswap" : (isX ? "be" : "le")
                return "r\(d) = \(kind)\(insn.imm) r\(d)"
            case Opcode.ALU.mov where isX && insn.offset != 0:
                return "\(p)\(d) = (s\(insn.offset))\(p)\(s)"
            default:
                let signed = insn.offset == 1 && (code == Opcode.ALU.div || code == Opcode.ALU.mod)
                let symbols: [UInt8: String] = [
                    0x00: "+=", 0x10: "-=", 0x20: "*=", 0x30: "/=", 0x40: "|=", 0x50: "&=", 0x60: "<<=",
                    0x70: ">>=", 0x90: "%=", 0xa0: "^=", 0xb0: "=", 0xc0: "s>>=",
                ]
                let sym = symbols[code] ?? "?="
                return "\(p)\(d) \(signed ? "s" + sym : sym) \(operand)"
            }
        case .jmp, .jmp32:
            let is32 = insn.instructionClass == .jmp32
            switch op {
            case Opcode.ja: return "goto \(Self.rel(Int(insn.offset)))"
            case Opcode.ja32: return "gotol \(Self.rel(Int(insn.imm)))"
            case Opcode.exit: return "exit"
            case Opcode.callx: return "callx r\(d)"
            case Opcode.call:
                if let name = symbolizer?(insn, index) { return "call \(name)" }
                return "call \(insn.imm)"  // as llvm-objdump: helper id, pc-relative offset or BTF id
            default: break
            }
            let p = is32 ? "w" : "r"
            let symbols: [UInt8: String] = [
                0x10: "==", 0x20: ">", 0x30: ">=", 0x40: "&", 0x50: "!=", 0x60: "s>", 0x70: "s>=", 0xa0: "<",
                0xb0: "<=", 0xc0: "s<", 0xd0: "s<=",
            ]
            let operand = isX ? "\(p)\(s)" : Self.int(insn.imm)
            return "if \(p)\(d) \(symbols[op & 0xf0] ?? "?") \(operand) goto \(Self.rel(Int(insn.offset)))"
        case .ld:
            guard op == Opcode.lddw else { return ".byte 0x\(String(op, radix: 16))" }
            let hi = UInt64(UInt32(bitPattern: next?.imm ?? 0))
            let value = UInt64(UInt32(bitPattern: insn.imm)) | hi << 32
            if let name = symbolizer?(insn, index) { return "r\(d) = \(name) ll" }
            switch PseudoLoadKind(rawValue: s) ?? .immediate {
            case .immediate: return "r\(d) = \(Int64(bitPattern: value)) ll"
            case .mapFD: return "r\(d) = map_fd(\(insn.imm)) ll"
            case .mapValue: return "r\(d) = map_value(\(insn.imm)) + \(next?.imm ?? 0) ll"
            case .btfID: return "r\(d) = btf_id(\(insn.imm)) ll"
            case .function: return "r\(d) = func(pc\(Self.rel(Int(insn.imm)))) ll"
            case .mapIndex: return "r\(d) = map_idx(\(insn.imm)) ll"
            case .mapIndexValue: return "r\(d) = map_idx_value(\(insn.imm)) + \(next?.imm ?? 0) ll"
            }
        case .ldx:
            let signed = op & 0xe0 == Opcode.Mode.memsx
            return "r\(d) = *(\(Self.sizeName(op, signed: signed)) *)(\(Self.mem(s, insn.offset)))"
        case .st:
            return "*(\(Self.sizeName(op)) *)(\(Self.mem(d, insn.offset))) = \(insn.imm)"
        case .stx:
            if op & 0xe0 != Opcode.Mode.atomic {
                return "*(\(Self.sizeName(op)) *)(\(Self.mem(d, insn.offset))) = r\(s)"
            }
            let is64 = op & 0x18 == Opcode.Size.dw
            let p = is64 ? "r" : "w"
            let size = is64 ? "u64" : "u32"
            let address = Self.mem(d, insn.offset)
            let names: [Int32: (String, String)] = [
                Opcode.Atomic.add: ("+=", "add"), Opcode.Atomic.or: ("|=", "or"), Opcode.Atomic.and: ("&=", "and"),
                Opcode.Atomic.xor: ("^=", "xor"),
            ]
            switch insn.imm {
            case Opcode.Atomic.xchg: return "\(p)\(s) = xchg\(is64 ? "" : "32")_\(is64 ? 64 : 32)(\(address), \(p)\(s))"
            case Opcode.Atomic.cmpxchg:
                return "\(p)0 = cmpxchg\(is64 ? "" : "32")_\(is64 ? 64 : 32)(\(address), \(p)0, \(p)\(s))"
            default:
                let (sym, name) = names[insn.imm & ~Opcode.Atomic.fetch] ?? ("?=", "?")
                if insn.imm & Opcode.Atomic.fetch != 0 {
                    return "\(p)\(s) = atomic_fetch_\(name)((\(size) *)(\(address)), \(p)\(s))"
                }
                return "lock *(\(size) *)(\(address)) \(sym) r\(s)"  // llvm-objdump uses r even for u32
            }
        }
    }

    // MARK: uBPF syntax

    private static func umem(_ reg: UInt8, _ off: Int16) -> String {
        off < 0 ? "[%r\(reg)-\(Int(off).magnitude)]" : "[%r\(reg)+\(off)]"
    }

    private func ubpf(_ insn: Instruction, next: Instruction?, at index: Int) -> String {
        let op = insn.opcode
        let isX = op & Opcode.sourceX != 0
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
            case Opcode.ALU.neg: return "neg\(w) %r\(d)"
            case Opcode.ALU.end: return "\(is64 ? "bswap" : (isX ? "be" : "le"))\(insn.imm) %r\(d)"
            case Opcode.ALU.mov where isX && insn.offset != 0:
                return "movsx\(insn.offset)\(is64 ? 64 : 32) %r\(d), %r\(s)"
            default:
                let names: [UInt8: String] = [
                    0x00: "add", 0x10: "sub", 0x20: "mul", 0x30: "div", 0x40: "or", 0x50: "and", 0x60: "lsh",
                    0x70: "rsh", 0x90: "mod", 0xa0: "xor", 0xb0: "mov", 0xc0: "arsh",
                ]
                let signed = insn.offset == 1 && (code == Opcode.ALU.div || code == Opcode.ALU.mod)
                return "\(signed ? "s" : "")\(names[code] ?? "?")\(w) %r\(d), \(operand)"
            }
        case .jmp, .jmp32:
            switch op {
            case Opcode.ja: return "ja \(Self.rel(Int(insn.offset)))"
            case Opcode.ja32: return "ja32 \(Self.rel(Int(insn.imm)))"
            case Opcode.exit: return "exit"
            case Opcode.callx: return "call %r\(d)"
            case Opcode.call:
                switch insn.src {
                case Opcode.CallKind.local: return "call local \(Self.rel(Int(insn.imm)))"
                case Opcode.CallKind.kfunc: return "call kfunc \(insn.imm)"
                default: return "call \(insn.imm)"
                }
            default:
                let names: [UInt8: String] = [
                    0x10: "jeq", 0x20: "jgt", 0x30: "jge", 0x40: "jset", 0x50: "jne", 0x60: "jsgt", 0x70: "jsge",
                    0xa0: "jlt", 0xb0: "jle", 0xc0: "jslt", 0xd0: "jsle",
                ]
                let w = insn.instructionClass == .jmp32 ? "32" : ""
                let operand = isX ? "%r\(s)" : String(insn.imm)
                return "\(names[op & 0xf0] ?? "?")\(w) %r\(d), \(operand), \(Self.rel(Int(insn.offset)))"
            }
        case .ld:
            let hi = UInt64(UInt32(bitPattern: next?.imm ?? 0))
            let value = UInt64(UInt32(bitPattern: insn.imm)) | hi << 32
            return "lddw %r\(d), 0x\(String(value, radix: 16))"
        case .ldx:
            let signed = op & 0xe0 == Opcode.Mode.memsx
            return "ldx\(signed ? "s" : "")\(size) %r\(d), \(Self.umem(s, insn.offset))"
        case .st:
            return "st\(size) \(Self.umem(d, insn.offset)), \(insn.imm)"
        case .stx:
            if op & 0xe0 != Opcode.Mode.atomic { return "stx\(size) \(Self.umem(d, insn.offset)), %r\(s)" }
            let w = op & 0x18 == Opcode.Size.dw ? "" : "32"
            let names: [Int32: String] = [
                Opcode.Atomic.add: "add", Opcode.Atomic.or: "or", Opcode.Atomic.and: "and", Opcode.Atomic.xor: "xor",
                Opcode.Atomic.xchg: "xchg", Opcode.Atomic.cmpxchg: "cmpxchg",
            ]
            let isFetch = insn.imm & Opcode.Atomic.fetch != 0 && insn.imm != Opcode.Atomic.xchg
                && insn.imm != Opcode.Atomic.cmpxchg
            let name = names[isFetch ? insn.imm & ~Opcode.Atomic.fetch : insn.imm] ?? "?"
            return "lock \(isFetch ? "fetch " : "")\(name)\(w) \(Self.umem(d, insn.offset)), %r\(s)"
        }
    }
}
