/// A line of assembly that could not be assembled.
public struct AssemblyError: Error, Equatable, CustomStringConvertible, Sendable {
    /// 1-based source line.
    public var line: Int
    /// What is wrong.
    public var message: String

    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }
}

/// Assembles uBPF-syntax assembly, as used by the bpf_conformance test files: `mov %r0, 1`, `ldxb %r0, [%r1+2]`,
/// `lock fetch add [%r10-8], %r1`, `jne %r0, 15, label`, `call local f`, `call 5`, `call %r2`, `# comments`.
public enum Assembler {
    private struct Pending {
        var slot: Int
        var label: String
        var line: Int
        var isImmediate: Bool  // target lives in imm (call local, ja32) rather than offset
    }

    /// Assembles `source` into instruction slots (an `lddw` yields two).
    public static func assemble(_ source: String) throws(AssemblyError) -> [Instruction] {
        var out: [Instruction] = []
        var labels: [String: Int] = [:]
        var pending: [Pending] = []
        for (n, rawLine) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = n + 1
            var text = Substring(rawLine)
            if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
            var line = text.trimmingWhitespace()
            while let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingWhitespace()
                guard isIdentifier(name) else { throw AssemblyError(line: lineNumber, message: "invalid label '\(name)'") }
                labels[String(name)] = out.count
                line = line[line.index(after: colon)...].trimmingWhitespace()
            }
            if line.isEmpty { continue }
            var parser = LineParser(line: lineNumber, slot: out.count)
            let slots = try parser.parse(line)
            if let target = parser.labelTarget {
                pending.append(
                    Pending(slot: out.count, label: target, line: lineNumber, isImmediate: parser.labelInImmediate))
            }
            // As in uBPF/bpf_conformance: `exit` names the first exit instruction unless defined as a label.
            if line == "exit" && labels["exit"] == nil { labels["exit"] = out.count }
            out += slots
        }
        for p in pending {
            guard let target = labels[p.label] else {
                throw AssemblyError(line: p.line, message: "undefined label '\(p.label)'")
            }
            let distance = target - (p.slot + 1)
            if p.isImmediate {
                out[p.slot].imm = Int32(distance)
            } else {
                guard let offset = Int16(exactly: distance) else {
                    throw AssemblyError(line: p.line, message: "jump to '\(p.label)' out of 16-bit range")
                }
                out[p.slot].offset = offset
            }
        }
        return out
    }

    static func isIdentifier(_ s: Substring) -> Bool {
        guard let first = s.first, first.isLetter || first == "_" || first == "." else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
    }
}

private struct LineParser {
    let line: Int
    let slot: Int
    var labelTarget: String?
    var labelInImmediate = false

    init(line: Int, slot: Int) {
        self.line = line
        self.slot = slot
    }

    func error(_ message: String) -> AssemblyError { AssemblyError(line: line, message: message) }

    static let aluOps: [String: UInt8] = [
        "add": 0x00, "sub": 0x10, "mul": 0x20, "div": 0x30, "sdiv": 0x30, "or": 0x40, "and": 0x50, "lsh": 0x60,
        "rsh": 0x70, "neg": 0x80, "mod": 0x90, "smod": 0x90, "xor": 0xa0, "mov": 0xb0, "arsh": 0xc0,
    ]
    static let jmpOps: [String: UInt8] = [
        "jeq": 0x10, "jgt": 0x20, "jge": 0x30, "jset": 0x40, "jne": 0x50, "jsgt": 0x60, "jsge": 0x70,
        "jlt": 0xa0, "jle": 0xb0, "jslt": 0xc0, "jsle": 0xd0,
    ]
    static let sizes: [String: UInt8] = ["b": 0x10, "h": 0x08, "w": 0x00, "dw": 0x18]

    mutating func parse(_ text: Substring) throws(AssemblyError) -> [Instruction] {
        let mnemonicEnd = text.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? text.endIndex
        let mnemonic = String(text[..<mnemonicEnd])
        let rest = text[mnemonicEnd...].trimmingWhitespace()
        let operands = rest.isEmpty ? [] : rest.split(separator: ",").map { $0.trimmingWhitespace() }

        func count(_ n: Int) throws(AssemblyError) {
            if operands.count != n {
                throw error("invalid number of operands for \(mnemonic): expected \(n), got \(operands.count)")
            }
        }

        switch mnemonic {
        case "exit":
            try count(0)
            return [Instruction(opcode: ISA.exit)]
        case "lddw":
            try count(2)
            let dst = try register(operands[0])
            let value = try integer(operands[1], bits: 64)
            return Instruction.loadImmediate64(dst: dst, UInt64(bitPattern: value))
        case "ja":
            try count(1)
            return [Instruction(opcode: ISA.ja, offset: Int16(try jumpOffset(operands[0])))]
        case "ja32":
            try count(1)
            labelInImmediate = true
            return [Instruction(opcode: ISA.ja32, imm: try jumpOffset(operands[0], wide: true))]
        case "call":
            return [try call(rest)]
        case "lock":
            return [try atomic(rest)]
        default:
            break
        }

        if let (op, is64) = Self.splitWidth(mnemonic, Self.jmpOps) {
            try count(3)
            let dst = try register(operands[0])
            var insn = Instruction(opcode: op | (is64 ? 0x05 : 0x06), dst: dst)
            if operands[1].hasPrefix("%") {
                insn.opcode |= ISA.sourceX
                insn.src = try register(operands[1])
            } else {
                insn.imm = try imm32(operands[1])
            }
            insn.offset = Int16(try jumpOffset(operands[2]))
            return [insn]
        }
        for (prefix, opcode) in [("le", UInt8(0xd4)), ("be", 0xdc), ("bswap", 0xd7), ("swap", 0xd7)] {
            if mnemonic.hasPrefix(prefix), let width = Int32(mnemonic.dropFirst(prefix.count)),
                [16, 32, 64].contains(width)
            {
                try count(1)
                return [Instruction(opcode: opcode, dst: try register(operands[0]), imm: width)]
            }
        }
        if mnemonic.hasPrefix("movsx") {
            let spec = mnemonic.dropFirst(5)
            guard spec.count >= 3, let width = Int(spec.suffix(2)), let bits = Int16(spec.dropLast(2)),
                [32, 64].contains(width), [8, 16, 32].contains(bits), !(width == 32 && bits == 32)
            else { throw error("unknown mnemonic '\(mnemonic)'") }
            try count(2)
            return [
                Instruction(
                    opcode: (width == 64 ? 0x07 : 0x04) | ISA.ALU.mov | ISA.sourceX,
                    dst: try register(operands[0]), src: try register(operands[1]), offset: bits)
            ]
        }
        if let (op, is64) = Self.splitWidth(mnemonic, Self.aluOps) {
            let base = mnemonic.hasSuffix("32") || mnemonic.hasSuffix("64") ? String(mnemonic.dropLast(2)) : mnemonic
            var insn = Instruction(opcode: op | (is64 ? 0x07 : 0x04))
            if base == "sdiv" || base == "smod" { insn.offset = 1 }
            if base == "neg" {
                try count(1)
                insn.dst = try register(operands[0])
                return [insn]
            }
            try count(2)
            insn.dst = try register(operands[0])
            if operands[1].hasPrefix("%") {
                insn.opcode |= ISA.sourceX
                insn.src = try register(operands[1])
            } else {
                insn.imm = try imm32(operands[1])
            }
            return [insn]
        }
        if mnemonic.hasPrefix("ldxs"), let size = Self.sizes[String(mnemonic.dropFirst(4))], size != 0x18 {
            try count(2)
            let (src, offset) = try memory(operands[1])
            return [Instruction(opcode: 0x81 | size, dst: try register(operands[0]), src: src, offset: offset)]
        }
        if mnemonic.hasPrefix("ldx"), let size = Self.sizes[String(mnemonic.dropFirst(3))] {
            try count(2)
            let (src, offset) = try memory(operands[1])
            return [Instruction(opcode: 0x61 | size, dst: try register(operands[0]), src: src, offset: offset)]
        }
        if mnemonic.hasPrefix("stx"), let size = Self.sizes[String(mnemonic.dropFirst(3))] {
            try count(2)
            let (dst, offset) = try memory(operands[0])
            return [Instruction(opcode: 0x63 | size, dst: dst, src: try register(operands[1]), offset: offset)]
        }
        if mnemonic.hasPrefix("st"), let size = Self.sizes[String(mnemonic.dropFirst(2))] {
            try count(2)
            let (dst, offset) = try memory(operands[0])
            return [Instruction(opcode: 0x62 | size, dst: dst, offset: offset, imm: try imm32(operands[1]))]
        }
        throw error("unknown mnemonic '\(mnemonic)'")
    }

    /// `add` / `add64` → (op, true), `add32` → (op, false).
    static func splitWidth(_ mnemonic: String, _ table: [String: UInt8]) -> (UInt8, Bool)? {
        if let op = table[mnemonic] { return (op, true) }
        if mnemonic.hasSuffix("64"), let op = table[String(mnemonic.dropLast(2))] { return (op, true) }
        if mnemonic.hasSuffix("32"), let op = table[String(mnemonic.dropLast(2))] { return (op, false) }
        return nil
    }

    mutating func call(_ rest: Substring) throws(AssemblyError) -> Instruction {
        let words = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
        switch (words.count, words.first) {
        case (1, let w?) where w.hasPrefix("%"):
            return Instruction(opcode: ISA.callx, dst: try register(w))
        case (1, let w?):
            return Instruction(opcode: ISA.call, src: ISA.CallKind.helper, imm: try imm32(w))
        case (2, "helper"?):
            if words[1].hasPrefix("%") { return Instruction(opcode: ISA.callx, dst: try register(words[1])) }
            return Instruction(opcode: ISA.call, src: ISA.CallKind.helper, imm: try imm32(words[1]))
        case (2, "local"?):
            labelInImmediate = true
            return Instruction(
                opcode: ISA.call, src: ISA.CallKind.local, imm: try jumpOffset(words[1], wide: true))
        case (2, "runtime"?), (2, "kfunc"?):
            return Instruction(opcode: ISA.call, src: ISA.CallKind.kfunc, imm: try imm32(words[1]))
        default:
            throw error("invalid call: expected 'call N', 'call %rN', 'call local LABEL' or 'call kfunc N'")
        }
    }

    func atomic(_ rest: Substring) throws(AssemblyError) -> Instruction {
        guard let bracket = rest.firstIndex(of: "[") else { throw error("Invalid number of operands for lock") }
        let words = rest[..<bracket].split(whereSeparator: { $0 == " " || $0 == "\t" })
        let operands = rest[bracket...].split(separator: ",").map { $0.trimmingWhitespace() }
        guard operands.count == 2, (1...2).contains(words.count) else {
            throw error("Invalid number of operands for lock")
        }
        let fetch = words.count == 2
        if fetch && words[0] != "fetch" { throw error("invalid atomic modifier '\(words[0])'") }
        var name = String(words.last!)
        var is64 = true
        if name.hasSuffix("32") {
            is64 = false
            name.removeLast(2)
        } else if name.hasSuffix("64") {
            name.removeLast(2)
        }
        var imm: Int32
        switch name {
        case "add": imm = ISA.Atomic.add
        case "or": imm = ISA.Atomic.or
        case "and": imm = ISA.Atomic.and
        case "xor": imm = ISA.Atomic.xor
        case "xchg" where !fetch: imm = ISA.Atomic.xchg
        case "cmpxchg" where !fetch: imm = ISA.Atomic.cmpxchg
        default: throw error("unknown atomic operation '\(words.last!)'")
        }
        if fetch { imm |= ISA.Atomic.fetch }
        let (dst, offset) = try memory(operands[0])
        return Instruction(
            opcode: is64 ? 0xdb : 0xc3, dst: dst, src: try register(operands[1]), offset: offset, imm: imm)
    }

    func register(_ s: Substring) throws(AssemblyError) -> UInt8 {
        guard s.hasPrefix("%r"), let n = UInt8(s.dropFirst(2)), n <= 10 else {
            throw error("Invalid register '\(s)'")
        }
        return n
    }

    /// `[%rN]`, `[%rN+off]`, `[%rN-off]`.
    func memory(_ s: Substring) throws(AssemblyError) -> (UInt8, Int16) {
        guard s.hasPrefix("["), s.hasSuffix("]") else { throw error("expected memory operand [%rN+off], got '\(s)'") }
        let inner = s.dropFirst().dropLast().trimmingWhitespace()
        guard let sign = inner.firstIndex(where: { $0 == "+" || $0 == "-" }) else { return (try register(inner), 0) }
        let reg = try register(inner[..<sign].trimmingWhitespace())
        let value = try integer(inner[sign...].filter { $0 != " " }[...], bits: 64)
        guard value >= -0x8000 && value <= 0x7fff else { throw error("offset '\(inner[sign...])' out of range") }
        return (reg, Int16(value))
    }

    /// A `+N`/`-N` distance, or a label (resolved later; returns 0).
    mutating func jumpOffset(_ s: Substring, wide: Bool = false) throws(AssemblyError) -> Int32 {
        if s.hasPrefix("+") || s.hasPrefix("-") || s.first?.isNumber == true {
            let value = try integer(s, bits: 64)
            guard let offset = wide ? Int32(exactly: value) : Int16(exactly: value).map(Int32.init) else {
                throw error("jump offset '\(s)' out of range")
            }
            return offset
        }
        guard Assembler.isIdentifier(s) else { throw error("invalid jump target '\(s)'") }
        labelTarget = String(s)
        return 0
    }

    func imm32(_ s: Substring) throws(AssemblyError) -> Int32 {
        let value = try integer(s, bits: 32)
        return Int32(truncatingIfNeeded: value)
    }

    /// Decimal or `0x` hex, optionally signed. 32-bit immediates accept -2^31…2^31-1, or hex up to 0xffffffff.
    func integer(_ s: Substring, bits: Int) throws(AssemblyError) -> Int64 {
        var text = s
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text = text.dropFirst()
        } else if text.hasPrefix("+") {
            text = text.dropFirst()
        }
        let isHex = text.hasPrefix("0x") || text.hasPrefix("0X")
        guard let magnitude = UInt64(isHex ? text.dropFirst(2) : text, radix: isHex ? 16 : 10) else {
            throw error("invalid number '\(s)'")
        }
        if bits == 32 {
            let limit: UInt64 = negative ? 0x8000_0000 : (isHex ? 0xffff_ffff : 0x7fff_ffff)
            guard magnitude <= limit else { throw error("immediate '\(s)' out of 32-bit range") }
        } else if negative && magnitude > 0x8000_0000_0000_0000 {
            throw error("immediate '\(s)' out of 64-bit range")
        }
        let value = Int64(bitPattern: magnitude)
        return negative ? 0 &- value : value
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}
