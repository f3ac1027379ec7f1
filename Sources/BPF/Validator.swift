/// A program that is not a well-formed RFC 9669 instruction stream, and the slot where that was found.
public struct ValidationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What is wrong.
    public enum Reason: Equatable, Sendable {
        /// The program has no instructions.
        case empty
        /// The opcode byte is not defined (or not supported, e.g. legacy packet loads).
        case unknownOpcode(UInt8)
        /// A register field names a register above r10.
        case badRegister(UInt8)
        /// A field the opcode does not use is not zero (or an operation variant is not defined).
        case reservedFieldNonZero(field: String, value: Int64)
        /// A jump or local call lands outside the program or inside an `lddw`.
        case jumpOutOfRange(target: Int)
        /// The program ends after the first slot of an `lddw`.
        case truncatedLoadImmediate
        /// The second slot of an `lddw` is malformed, or a non-`lddw` is followed by a bare second slot.
        case splitLoadImmediate
        /// `div`/`mod` by an immediate zero (the kernel verifier rejects it).
        case divisionByImmediateZero
        /// The instruction would write the read-only frame pointer r10.
        case writeToFramePointer
        /// Execution can run past the last instruction.
        case fallsOffEnd
    }

    /// Index of the offending slot.
    public var index: Int
    /// What is wrong with it.
    public var reason: Reason

    /// Creates an error.
    public init(index: Int, reason: Reason) {
        self.index = index
        self.reason = reason
    }

    /// A one-line explanation naming the instruction index.
    public var description: String {
        let what: String
        switch reason {
        case .empty: what = "program has no instructions"
        case .unknownOpcode(let op): what = "unknown opcode 0x\(op < 16 ? "0" : "")\(String(op, radix: 16))"
        case .badRegister(let r): what = "bad register r\(r)"
        case .reservedFieldNonZero(let field, let value): what = "reserved field \(field) must be 0, is \(value)"
        case .jumpOutOfRange(let target): what = "jump target \(target) out of range"
        case .truncatedLoadImmediate: what = "lddw truncated: missing its second slot"
        case .splitLoadImmediate: what = "lddw split: malformed second slot"
        case .divisionByImmediateZero: what = "division by immediate zero"
        case .writeToFramePointer: what = "write to read-only frame pointer r10"
        case .fallsOffEnd: what = "execution falls off the end of the program"
        }
        return "invalid instruction at index \(index): \(what)"
    }
}

/// Checks that a slot array is a well-formed program (RFC 9669), with precise errors.
public struct Validator: Sendable {
    /// Accept `div`/`mod` by an immediate zero (defined by the ISA: result 0 / dst unchanged). The kernel verifier
    /// rejects it, so the default is `false`; the conformance suite needs `true`.
    public var allowsDivisionByImmediateZero: Bool

    /// Creates a validator.
    public init(allowsDivisionByImmediateZero: Bool = false) {
        self.allowsDivisionByImmediateZero = allowsDivisionByImmediateZero
    }

    /// Validates `instructions`; throws the first problem found.
    public func validate(_ instructions: [Instruction]) throws(ValidationError) {
        let count = instructions.count
        guard count > 0 else { throw ValidationError(index: 0, reason: .empty) }
        // Slots that are the second half of an lddw; jumps may not land there.
        var isSecondSlot = [Bool](repeating: false, count: count)
        var i = 0
        while i < count {
            let insn = instructions[i]
            if insn.opcode == ISA.lddw {
                guard i + 1 < count else { throw ValidationError(index: i, reason: .truncatedLoadImmediate) }
                isSecondSlot[i + 1] = true
                i += 2
            } else {
                i += 1
            }
        }
        for index in 0..<count where !isSecondSlot[index] {
            try check(instructions, index, isSecondSlot)
        }
        let last = count - 1
        let lastInsn = isSecondSlot[last] ? instructions[last - 1] : instructions[last]
        let endsFlow = lastInsn.opcode == ISA.exit || lastInsn.opcode == ISA.ja || lastInsn.opcode == ISA.ja32
        if !endsFlow { throw ValidationError(index: isSecondSlot[last] ? last - 1 : last, reason: .fallsOffEnd) }
    }

    private func check(_ instructions: [Instruction], _ index: Int, _ isSecondSlot: [Bool]) throws(ValidationError) {
        let insn = instructions[index]
        func fail(_ reason: ValidationError.Reason) -> ValidationError { ValidationError(index: index, reason: reason) }
        func zero(_ field: String, _ value: Int64) throws(ValidationError) {
            if value != 0 { throw fail(.reservedFieldNonZero(field: field, value: value)) }
        }
        func target(_ distance: Int) throws(ValidationError) {
            let t = index + 1 + distance
            if t < 0 || t >= instructions.count || isSecondSlot[t] { throw fail(.jumpOutOfRange(target: t)) }
        }
        if insn.dst > 10 { throw fail(.badRegister(insn.dst)) }
        if insn.src > 10 && insn.opcode != ISA.lddw && insn.opcode != ISA.call {
            throw fail(.badRegister(insn.src))
        }
        let op = insn.opcode
        let isX = op & ISA.sourceX != 0
        switch insn.instructionClass {
        case .alu, .alu64:
            let is64 = insn.instructionClass == .alu64
            let code = op & 0xf0
            if insn.dst == 10 { throw fail(.writeToFramePointer) }
            switch code {
            case ISA.ALU.neg:
                if isX { throw fail(.unknownOpcode(op)) }
                try zero("src", Int64(insn.src)); try zero("offset", Int64(insn.offset)); try zero("imm", Int64(insn.imm))
            case ISA.ALU.end:
                if isX && is64 { throw fail(.unknownOpcode(op)) }
                try zero("src", Int64(insn.src)); try zero("offset", Int64(insn.offset))
                if ![16, 32, 64].contains(insn.imm) {
                    throw fail(.reservedFieldNonZero(field: "imm (byte-swap width)", value: Int64(insn.imm)))
                }
            case 0xe0, 0xf0:
                throw fail(.unknownOpcode(op))
            default:
                let allowedOffsets: [Int16]
                switch code {
                case ISA.ALU.div, ISA.ALU.mod: allowedOffsets = [0, 1]
                case ISA.ALU.mov where isX: allowedOffsets = is64 ? [0, 8, 16, 32] : [0, 8, 16]
                default: allowedOffsets = [0]
                }
                if !allowedOffsets.contains(insn.offset) {
                    throw fail(.reservedFieldNonZero(field: "offset", value: Int64(insn.offset)))
                }
                if isX {
                    try zero("imm", Int64(insn.imm))
                } else {
                    try zero("src", Int64(insn.src))
                    if (code == ISA.ALU.div || code == ISA.ALU.mod) && insn.imm == 0
                        && !allowsDivisionByImmediateZero
                    {
                        throw fail(.divisionByImmediateZero)
                    }
                }
            }
        case .jmp, .jmp32:
            let is32 = insn.instructionClass == .jmp32
            let code = op & 0xf0
            switch code {
            case ISA.JMP.ja:
                if isX { throw fail(.unknownOpcode(op)) }
                try zero("dst", Int64(insn.dst)); try zero("src", Int64(insn.src))
                if is32 {
                    try zero("offset", Int64(insn.offset))
                    try target(Int(insn.imm))
                } else {
                    try zero("imm", Int64(insn.imm))
                    try target(Int(insn.offset))
                }
            case ISA.JMP.call:
                if is32 { throw fail(.unknownOpcode(op)) }
                try zero("offset", Int64(insn.offset))
                if isX {
                    // callx: register holding the helper id is in dst.
                    try zero("src", Int64(insn.src)); try zero("imm", Int64(insn.imm))
                } else {
                    try zero("dst", Int64(insn.dst))
                    switch insn.src {
                    case ISA.CallKind.helper, ISA.CallKind.kfunc: break
                    case ISA.CallKind.local: try target(Int(insn.imm))
                    default: throw fail(.reservedFieldNonZero(field: "src (call kind)", value: Int64(insn.src)))
                    }
                }
            case ISA.JMP.exit:
                if is32 || isX { throw fail(.unknownOpcode(op)) }
                try zero("dst", Int64(insn.dst)); try zero("src", Int64(insn.src))
                try zero("offset", Int64(insn.offset)); try zero("imm", Int64(insn.imm))
            case 0xe0, 0xf0:
                throw fail(.unknownOpcode(op))
            default:
                if isX { try zero("imm", Int64(insn.imm)) } else { try zero("src", Int64(insn.src)) }
                try target(Int(insn.offset))
            }
        case .ld:
            if op == 0 { throw fail(.splitLoadImmediate) }
            guard op == ISA.lddw else { throw fail(.unknownOpcode(op)) }
            if insn.dst == 10 { throw fail(.writeToFramePointer) }
            guard let kind = PseudoLoadKind(rawValue: insn.src) else {
                throw fail(.reservedFieldNonZero(field: "src (pseudo kind)", value: Int64(insn.src)))
            }
            if kind == .function { try target(Int(insn.imm)) }
            try zero("offset", Int64(insn.offset))
            let next = instructions[index + 1]
            if next.opcode != 0 || next.dst != 0 || next.src != 0 || next.offset != 0 {
                throw ValidationError(index: index + 1, reason: .splitLoadImmediate)
            }
        case .ldx:
            let mode = op & 0xe0
            let size = op & 0x18
            guard mode == ISA.Mode.mem || (mode == ISA.Mode.memsx && size != ISA.Size.dw) else {
                throw fail(.unknownOpcode(op))
            }
            if insn.dst == 10 { throw fail(.writeToFramePointer) }
            try zero("imm", Int64(insn.imm))
        case .st:
            guard op & 0xe0 == ISA.Mode.mem else { throw fail(.unknownOpcode(op)) }
            try zero("src", Int64(insn.src))
        case .stx:
            let mode = op & 0xe0
            let size = op & 0x18
            if mode == ISA.Mode.mem {
                try zero("imm", Int64(insn.imm))
            } else if mode == ISA.Mode.atomic && (size == ISA.Size.w || size == ISA.Size.dw) {
                let a = insn.imm
                let base = a & ~ISA.Atomic.fetch
                let valid = [ISA.Atomic.add, ISA.Atomic.or, ISA.Atomic.and, ISA.Atomic.xor].contains(base)
                    || a == ISA.Atomic.xchg || a == ISA.Atomic.cmpxchg
                if !valid { throw fail(.reservedFieldNonZero(field: "imm (atomic operation)", value: Int64(a))) }
                if a & ISA.Atomic.fetch != 0 && insn.src == 10 && a != ISA.Atomic.cmpxchg {
                    throw fail(.writeToFramePointer)
                }
            } else {
                throw fail(.unknownOpcode(op))
            }
        }
    }
}
