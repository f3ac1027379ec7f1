import BPF

/// `BPF_MAX_VAR_OFF`: pointer offsets and their bounds must stay below 2^29.
let maxVariableOffset: Int64 = 1 << 29

extension VerifierRun {
    /// `check_alu_op`.
    mutating func alu(_ insn: Instruction) throws(Failure) {
        let is64 = insn.opcode & 0x07 == 0x07
        let code = insn.opcode & 0xf0
        let isX = insn.opcode & ISA.sourceX != 0
        let dst = insn.dst

        if code == ISA.ALU.end || code == ISA.ALU.neg {
            if code == ISA.ALU.end && ![16, 32, 64].contains(insn.imm) || code == ISA.ALU.neg && (isX || insn.imm != 0) {
                throw .invalid(
                    "BPF_\(code == ISA.ALU.end ? "END" : "NEG") uses reserved fields",
                    "The \(code == ISA.ALU.end ? "byte swap" : "negation") at this instruction has invalid fields.")
            }
            let value = try readable(dst)
            try writable(dst)
            guard case .scalar(var s, _) = value else {
                set(dst, .unknownScalar)
                return
            }
            if code == ISA.ALU.neg {
                s.apply(.neg, .constant(0), is64: is64)
            } else {
                s = byteSwapped(s, insn: insn, is64: is64)
            }
            set(dst, .scalar(s, link: .unlinked))
            return
        }

        if code == ISA.ALU.mov {
            try move(insn, is64: is64, isX: isX)
            return
        }

        guard let op = ScalarOperation(aluCode: code) else {
            throw .invalid("invalid BPF_ALU opcode \(String(code, radix: 16))", "Unknown ALU operation 0x\(String(insn.opcode, radix: 16)).")
        }
        let source: Register
        if isX {
            source = try readable(insn.src)
        } else {
            if (op == .div || op == .mod) && insn.imm == 0 {
                throw .invalid("div by zero", "Division by the constant 0.")
            }
            if (op == .lsh || op == .rsh || op == .arsh) && (insn.imm < 0 || insn.imm >= (is64 ? 64 : 32)) {
                throw .invalid("invalid shift \(insn.imm)", "A shift by \(insn.imm) is outside 0..<\(is64 ? 64 : 32).")
            }
            source = .constant(UInt64(bitPattern: Int64(insn.imm)))
        }
        let destination = try readable(dst)
        try writable(dst)

        switch (destination, source) {
        case (.scalar(var d, let link), .scalar(let s, _)):
            let umaxBefore = d.umax
            d.apply(op, s, is64: is64)
            set(dst, .scalar(d, link: linkAfter(op, s, on: link, is64: is64, umaxBefore: umaxBefore)))
        case (.pointer(let p), .pointer):
            if op == .sub {
                set(dst, .unknownScalar)  // pointer - pointer: a scalar (root may see pointer values)
                return
            }
            throw .access(
                "R\(dst) pointer \(op.assignmentOperator) pointer prohibited",
                "Only subtraction combines two pointers; \(op.assignmentOperator) on \(p.typeName) and another pointer is refused.",
                [dst, insn.src])
        case (.pointer(let p), .scalar(let s, _)):
            if isX { markPrecise([insn.src]) }
            set(dst, .pointer(try pointerArithmetic(p, s, op: op, is64: is64, dst: dst, pointerRegister: dst, offsetRegister: isX ? insn.src : nil)))
        case (.scalar(let s, _), .pointer(let p)):
            // scalar += pointer: the result is the pointer moved.
            guard is64 || op == .sub else {
                throw .access("R\(dst) 32-bit pointer arithmetic prohibited", "32-bit arithmetic on a pointer is refused.", [dst, insn.src])
            }
            if !is64 {
                set(dst, .unknownScalar)
                return
            }
            if op == .sub {
                throw .access(
                    "R\(dst) tried to subtract pointer from scalar",
                    "Subtracting a pointer from a scalar is refused.", [dst, insn.src])
            }
            markPrecise([dst])
            set(dst, .pointer(try pointerArithmetic(p, s, op: op, is64: is64, dst: dst, pointerRegister: insn.src, offsetRegister: dst)))
        default:
            throw .access("R\(dst) !read_ok", "R\(dst) is not initialised.", [dst])
        }
    }

    /// `bswap`/`le`/`be`: the result is known only for constants.
    func byteSwapped(_ s: Scalar, insn: Instruction, is64: Bool) -> Scalar {
        let width = Int(insn.imm)
        let toBigEndian = insn.opcode & ISA.sourceX != 0
        let swaps = is64 || toBigEndian
        var result = s
        if !swaps {
            if width < 64 { result.truncate(toBytes: width / 8) }
            return result
        }
        guard let v = s.constantValue else {
            return width < 64 ? { var r = Scalar.unknown; r.truncate(toBytes: width / 8); return r }() : .unknown
        }
        switch width {
        case 16: return .constant(UInt64(UInt16(truncatingIfNeeded: v).byteSwapped))
        case 32: return .constant(UInt64(UInt32(truncatingIfNeeded: v).byteSwapped))
        default: return .constant(v.byteSwapped)
        }
    }

    /// `mov`, `movsx`.
    mutating func move(_ insn: Instruction, is64: Bool, isX: Bool) throws(Failure) {
        let dst = insn.dst
        let validOffsets: [Int16] = isX ? (is64 ? [0, 8, 16, 32] : [0, 8, 16]) : [0]
        guard validOffsets.contains(insn.offset) else {
            throw .invalid("BPF_MOV uses reserved fields", "The move has an invalid sign-extension width (offset \(insn.offset)).")
        }
        guard isX else {
            try writable(dst)
            set(dst, .constant(is64 ? UInt64(bitPattern: Int64(insn.imm)) : UInt64(UInt32(bitPattern: insn.imm))))
            return
        }
        let source = try readable(insn.src)
        try writable(dst)
        let signExtend = Int(insn.offset)
        if is64 {
            guard case .scalar(var s, _) = source else {
                set(dst, signExtend == 0 ? source : .unknownScalar)
                return
            }
            let keepsLink = signExtend == 0 || s.umax < UInt64(1) << UInt64(signExtend - 1)
            let link = keepsLink ? linkForCopy(of: insn.src) : .unlinked
            if signExtend != 0 { s.signExtend(fromBytes: signExtend / 8) }
            set(dst, .scalar(s, link: link))
            return
        }
        // 32-bit moves zero-extend; a pointer's low half is an unknown scalar.
        guard case .scalar(var s, _) = source else {
            set(dst, .scalar({ var u = Scalar.unknown; u.zeroExtend32(); u.sync(); return u }(), link: .unlinked))
            return
        }
        if signExtend != 0 {
            var low = s
            low.truncate(toBytes: 4)
            low.signExtend(fromBytes: signExtend / 8)
            low.zeroExtend32()
            low.sync()
            set(dst, .scalar(low, link: .unlinked))
            return
        }
        let fits = s.umax <= UInt64(UInt32.max)
        let link = fits ? linkForCopy(of: insn.src) : .unlinked
        s.zeroExtend32()
        s.sync()
        set(dst, .scalar(s, link: link))
    }

    // MARK: Linked scalars

    /// `assign_scalar_id_before_mov`: a copy shares its source's id, given one here if it has none. A source that
    /// already went through `+= const` is unlinked first: a link holds one delta, so copies of it start afresh.
    mutating func linkForCopy(of register: UInt8) -> ScalarLink {
        guard case .scalar(let s, var link) = path.state[register: register] else { return .unlinked }
        if link.deltaWidth != nil { link = .unlinked }
        if !link.isLinked && !s.isConstant { link = ScalarLink(id: newID()) }
        set(register, .scalar(s, link: link))
        return link
    }

    /// `adjust_reg_min_max_vals`: `rX += const` or `rX -= const` on a linked rX keeps the link and records the
    /// constant as rX's delta (once); any other arithmetic unlinks rX.
    func linkAfter(_ op: ScalarOperation, _ source: Scalar, on link: ScalarLink, is64: Bool, umaxBefore: UInt64) -> ScalarLink {
        guard link.isLinked, op == .add || op == .sub, link.deltaWidth == nil else { return .unlinked }
        let value: Int64
        if is64 {
            guard let v = source.constantValue else { return .unlinked }
            value = Int64(bitPattern: v)
            guard let _ = Int32(exactly: value) else { return .unlinked }
        } else {
            guard source.subregisterIsConstant, umaxBefore <= UInt64(UInt32.max) else { return .unlinked }
            value = Int64(Int32(truncatingIfNeeded: source.bits.value))
        }
        var delta = Int32(truncatingIfNeeded: value)
        if op == .sub {
            guard delta != .min else { return .unlinked }
            delta = -delta
        }
        return ScalarLink(id: link.id, delta: delta, deltaWidth: is64 ? .bits64 : .bits32)
    }

    // MARK: Pointer arithmetic (adjust_ptr_min_max_vals)

    func pointerArithmetic(
        _ p: Pointer, _ s: Scalar, op: ScalarOperation, is64: Bool, dst: UInt8, pointerRegister: UInt8,
        offsetRegister: UInt8?
    ) throws(Failure) -> Pointer {
        let registers = [pointerRegister] + (offsetRegister.map { [$0] } ?? [])
        guard is64 else {
            throw .access("R\(dst) 32-bit pointer arithmetic prohibited", "32-bit arithmetic on a pointer (\(p.typeName)) is refused.", registers)
        }
        if p.maybeNull {
            throw .access(
                "R\(dst) pointer arithmetic on \(p.typeName) prohibited, null-check it first",
                "R\(pointerRegister) may be NULL (\(p.typeName)): compare it with 0 before moving it.", registers)
        }
        switch p.kind {
        case .context, .mapValue, .stack, .kernelStruct, .memory, .function: break
        case .map:
            if s.isConstant && s.constantValue == 0 && op == .add { break }
            throw .access(
                "R\(dst) pointer arithmetic on \(p.typeName) prohibited",
                "A map pointer cannot be moved.", registers)
        }
        try checkSaneOffset(s, kind: p.typeName, registers)
        try checkSaneOffset(p.variable, fixed: p.offset, kind: p.typeName, registers)
        var result = p
        switch op {
        case .add:
            if let k = s.constantValue, let sum = fixedOffset(p.offset, Int64(bitPattern: k)) {
                result.offset = sum
            } else {
                result.variable = pointerVariable(p.variable, s, add: true)
            }
        case .sub:
            if case .stack = p.kind {
                throw .access("R\(dst) subtraction from stack pointer prohibited", "A stack pointer cannot be decreased with -=; use += with a negative constant.", registers)
            }
            if let k = s.constantValue, let diff = fixedOffset(p.offset, -Int64(bitPattern: k)) {
                result.offset = diff
            } else {
                result.variable = pointerVariable(p.variable, s, add: false)
            }
        case .and, .or, .xor:
            throw .access(
                "R\(dst) bitwise operator \(op.assignmentOperator) on pointer prohibited",
                "Bitwise operations on a pointer (\(p.typeName)) are refused.", registers)
        default:
            throw .access(
                "R\(dst) pointer arithmetic with \(op.assignmentOperator) operator prohibited",
                "Only + and - move a pointer; \(op.assignmentOperator) on \(p.typeName) is refused.", registers)
        }
        try checkSaneOffset(result.variable, fixed: result.offset, kind: p.typeName, registers)
        return result
    }

    /// The fixed offset plus `k` if it fits the kernel's s32 `off`.
    func fixedOffset(_ offset: Int64, _ k: Int64) -> Int64? {
        let (sum, overflow) = offset.addingReportingOverflow(k)
        guard !overflow, sum == Int64(Int32(truncatingIfNeeded: sum)) else { return nil }
        return sum
    }

    func pointerVariable(_ v: Scalar, _ s: Scalar, add: Bool) -> Scalar {
        var r = v
        if add {
            let (a, o1) = v.smin.addingReportingOverflow(s.smin)
            let (b, o2) = v.smax.addingReportingOverflow(s.smax)
            if o1 || o2 { r.smin = .min; r.smax = .max } else { r.smin = a; r.smax = b }
            let (c, o3) = v.umin.addingReportingOverflow(s.umin)
            let (d, o4) = v.umax.addingReportingOverflow(s.umax)
            if o3 || o4 { r.umin = 0; r.umax = .max } else { r.umin = c; r.umax = d }
            r.bits = v.bits + s.bits
        } else {
            let (a, o1) = v.smin.subtractingReportingOverflow(s.smax)
            let (b, o2) = v.smax.subtractingReportingOverflow(s.smin)
            if o1 || o2 { r.smin = .min; r.smax = .max } else { r.smin = a; r.smax = b }
            if v.umin < s.umax { r.umin = 0; r.umax = .max } else { r.umin = v.umin - s.umax; r.umax = v.umax &- s.umin }
            r.bits = v.bits - s.bits
        }
        r.markUnbounded32()
        r.sync()
        return r
    }

    /// `check_reg_sane_offset`.
    func checkSaneOffset(_ v: Scalar, fixed: Int64 = 0, kind: String, _ registers: [UInt8]) throws(Failure) {
        if let k = v.constantValue {
            let value = Int64(bitPattern: k)
            if value >= maxVariableOffset || value <= -maxVariableOffset {
                throw .invalid(
                    "math between \(kind) pointer and \(value) is not allowed",
                    "Moving a \(kind) pointer by \(value) is refused: offsets must stay within ±2^29.", registers)
            }
        }
        if fixed >= maxVariableOffset || fixed <= -maxVariableOffset {
            throw .invalid("\(kind) pointer offset \(fixed) is not allowed", "The \(kind) pointer's offset \(fixed) is outside ±2^29.", registers)
        }
        if v.smin == .min {
            throw .invalid(
                "math between \(kind) pointer and register with unbounded min value is not allowed",
                "The value added to the \(kind) pointer has no lower bound (it may be negative): check it against 0 or mask it first.",
                registers)
        }
        if v.smin >= maxVariableOffset || v.smin <= -maxVariableOffset {
            throw .invalid(
                "value \(v.smin) makes \(kind) pointer be out of bounds",
                "The value added to the \(kind) pointer may be \(v.smin), which puts the pointer out of bounds.", registers)
        }
    }
}
