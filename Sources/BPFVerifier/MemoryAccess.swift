import BPF

/// Reads and writes through pointers (`check_mem_access` and what it calls).
extension VerifierRun {
    enum AccessType { case read, write }

    /// `ldx`, `ldsx`.
    mutating func load(_ insn: Instruction) throws(Failure) {
        let mode = insn.opcode & 0xe0
        guard mode == ISA.Mode.mem || mode == ISA.Mode.memsx else {
            throw .invalid("BPF_LDX uses reserved fields", "Unsupported load mode 0x\(String(mode, radix: 16)).")
        }
        _ = try readable(insn.src)
        try writable(insn.dst)
        let size = ISA.Size.bytes(insn.opcode)
        try access(base: insn.src, offset: Int64(insn.offset), size: size, type: .read, value: insn.dst,
                   signExtend: mode == ISA.Mode.memsx)
    }

    /// `st`, `stx`, atomics.
    mutating func store(_ insn: Instruction) throws(Failure) {
        let size = ISA.Size.bytes(insn.opcode)
        let mode = insn.opcode & 0xe0
        if insn.opcode & 0x07 == 0x03 && mode == ISA.Mode.atomic {
            try atomic(insn, size: size)
            return
        }
        guard mode == ISA.Mode.mem else {
            throw .invalid("BPF_ST uses reserved fields", "Unsupported store mode 0x\(String(mode, radix: 16)).")
        }
        if insn.opcode & 0x07 == 0x03 {
            _ = try readable(insn.src)
            _ = try readable(insn.dst)
            try access(base: insn.dst, offset: Int64(insn.offset), size: size, type: .write, value: insn.src)
        } else {
            _ = try readable(insn.dst)
            try access(base: insn.dst, offset: Int64(insn.offset), size: size, type: .write, value: nil,
                       immediate: Int64(insn.imm))
        }
    }

    /// `check_atomic`.
    mutating func atomic(_ insn: Instruction, size: Int) throws(Failure) {
        let valid: [Int32] = [
            ISA.Atomic.add, ISA.Atomic.or, ISA.Atomic.and, ISA.Atomic.xor,
            ISA.Atomic.add | ISA.Atomic.fetch, ISA.Atomic.or | ISA.Atomic.fetch, ISA.Atomic.and | ISA.Atomic.fetch,
            ISA.Atomic.xor | ISA.Atomic.fetch, ISA.Atomic.xchg, ISA.Atomic.cmpxchg,
        ]
        guard valid.contains(insn.imm) else {
            throw .invalid("BPF_ATOMIC uses invalid atomic opcode \(String(insn.imm, radix: 16))", "Unknown atomic operation \(insn.imm).")
        }
        guard size == 4 || size == 8 else {
            throw .invalid("invalid atomic operand size", "Atomic operations work on 4 or 8 bytes.")
        }
        _ = try readable(insn.src)
        let base = try readable(insn.dst)
        if insn.imm == ISA.Atomic.cmpxchg { _ = try readable(0) }
        if case .pointer(let p) = base, case .context = p.kind {
            throw .access(
                "BPF_ATOMIC stores into R\(insn.dst) \(p.typeName) is not allowed",
                "Atomic operations on the context are refused.", [insn.dst])
        }
        let loadRegister: UInt8? =
            insn.imm == ISA.Atomic.cmpxchg ? 0 : (insn.imm & ISA.Atomic.fetch != 0 ? insn.src : nil)
        try access(base: insn.dst, offset: Int64(insn.offset), size: size, type: .read, value: nil, strict: true)
        if let loadRegister {
            try access(base: insn.dst, offset: Int64(insn.offset), size: size, type: .read, value: loadRegister, strict: true)
        }
        try access(base: insn.dst, offset: Int64(insn.offset), size: size, type: .write, value: nil, strict: true)
    }

    // MARK: check_mem_access

    /// One access of `size` bytes at `base + offset`; `value` is the register loaded or stored (nil for an
    /// immediate store or an atomic's checks).
    mutating func access(
        base: UInt8, offset: Int64, size: Int, type: AccessType, value: UInt8?, immediate: Int64? = nil,
        signExtend: Bool = false, strict: Bool = false
    ) throws(Failure) {
        let reg = path.state[register: base]
        guard case .pointer(let p) = reg else {
            throw .access(
                "R\(base) invalid mem access '\(reg.typeName)'",
                "R\(base) is a \(reg.typeName == "scalar" ? "number" : reg.typeName), not a pointer the program may dereference.",
                [base])
        }
        try checkAlignment(p, base: base, offset: offset, size: size, strict: strict)
        let off = offset + p.offset
        switch p.kind {
        case .mapValue(let m):
            if p.maybeNull { throw nullAccess(base, p) }
            let map = program.maps[m]
            if type == .write && map.isReadOnly {
                throw .access(
                    "write into map forbidden, value_size=\(map.valueSize) off=\(off) size=\(size)",
                    "\(map.name) is read-only for programs (BPF_F_RDONLY_PROG, e.g. .rodata): stores into it are refused.",
                    [base])
            }
            try checkRegion(base, p, offset: off, size: size, limit: map.valueSize, describe: .mapValue)
            if type == .read, let value {
                if p.variable.isConstant, let frozen = map.frozenValue {
                    let at = Int(off + Int64(bitPattern: p.variable.bits.value))
                    var v: UInt64 = 0
                    for i in 0..<size where at + i < frozen.count { v |= UInt64(frozen[at + i]) << UInt64(8 * i) }
                    if signExtend {
                        let shift = UInt64(64 - 8 * size)
                        v = UInt64(bitPattern: Int64(bitPattern: v << shift) >> Int64(shift))
                    }
                    set(value, .constant(v))
                } else {
                    setLoaded(value, size: size, signExtend: signExtend)
                }
            }
        case .memory(let memSize, let readOnly):
            if p.maybeNull { throw nullAccess(base, p) }
            if type == .write && readOnly {
                throw .access(
                    "R\(base) cannot write into \(p.typeName)",
                    "R\(base) points to read-only memory (\(p.typeName)).", [base])
            }
            try checkRegion(base, p, offset: off, size: size, limit: memSize, describe: .memory)
            if type == .read, let value { setLoaded(value, size: size, signExtend: signExtend) }
        case .context:
            try contextAccess(base, p, offset: off, size: size, type: type, value: value)
        case .kernelStruct(let s):
            try kernelStructAccess(base, p, s, offset: off, size: size, type: type, value: value)
        case .stack(let frame):
            try stackAccess(base, p, frame: frame, offset: off, size: size, type: type, value: value,
                            immediate: immediate, signExtend: signExtend)
        case .map, .function:
            throw .access(
                "R\(base) invalid mem access '\(p.typeName)'",
                "R\(base) (\(p.typeName)) cannot be dereferenced.", [base])
        }
    }

    func nullAccess(_ base: UInt8, _ p: Pointer) -> Failure {
        .access(
            "R\(base) invalid mem access '\(p.typeName)'",
            "R\(base) may be NULL (\(p.typeName)): compare it with 0 before dereferencing it.", [base])
    }

    /// A loaded scalar of `size` bytes.
    mutating func setLoaded(_ r: UInt8, size: Int, signExtend: Bool) {
        var s = Scalar.unknown
        if size < 8 {
            if signExtend { s.signExtend(fromBytes: size) } else { s.truncate(toBytes: size) }
        }
        set(r, .scalar(s, link: .unlinked))
    }

    /// `check_ptr_alignment`: stack accesses (and every atomic) must be aligned to their size.
    func checkAlignment(_ p: Pointer, base: UInt8, offset: Int64, size: Int, strict: Bool) throws(Failure) {
        var isStack = false
        if case .stack = p.kind { isStack = true }
        guard isStack || strict, size > 1 else { return }
        let total = p.variable.bits + .constant(UInt64(bitPattern: p.offset + offset))
        if !total.isAligned(UInt64(size)) {
            let what = isStack ? "stack " : ""
            throw .access(
                "misaligned \(what)access off \(p.variable.bits)+\(p.offset)+\(offset) size \(size)",
                "The \(size)-byte access at offset \(p.offset + offset) of R\(base) (\(p.typeName)) is not aligned to \(size) bytes.",
                [base])
        }
    }

    enum RegionKind { case mapValue, memory }

    /// `check_mem_region_access`: the whole range the pointer may hold must fit `limit` bytes.
    func checkRegion(_ base: UInt8, _ p: Pointer, offset off: Int64, size: Int, limit: Int, describe: RegionKind) throws(Failure) {
        let v = p.variable
        func inside(_ at: Int64) -> Bool { at >= 0 && size > 0 && at + Int64(size) <= Int64(limit) }
        func outside(_ at: Int64) -> String {
            describe == .mapValue
                ? "invalid access to map value, value_size=\(limit) off=\(at) size=\(size)"
                : "invalid access to memory, mem_size=\(limit) off=\(at) size=\(size)"
        }
        let what = describe == .mapValue ? "the map value" : "the memory"
        if v.smin < 0 && (v.smin == .min || off + v.smin != Int64(Int32(truncatingIfNeeded: off + v.smin)) || v.smin + off < 0) {
            throw .access(
                "R\(base) min value is negative, either use unsigned index or do a if (index >=0) check.",
                "The offset into \(what) may be negative (R\(base) var \(v)): check the index against 0 or use an unsigned type.",
                [base])
        }
        let low = v.smin + off
        guard inside(low) else {
            throw .access(
                outside(low),
                "The \(size)-byte access at offset \(low) is outside \(what) (\(limit) bytes).", [base])
        }
        guard v.umax < UInt64(maxVariableOffset) else {
            throw .access(
                "R\(base) unbounded memory access, make sure to bounds check any such access",
                "The offset into \(what) has no upper bound: check the index against the size before using it.", [base])
        }
        let high = Int64(v.umax) + off
        guard inside(high) else {
            throw .access(
                outside(high),
                "The \(size)-byte access may reach offset \(high), past the end of \(what) (\(limit) bytes): the index is not bounded tightly enough.",
                [base])
        }
    }

    // MARK: Context (struct_ops arguments)

    mutating func contextAccess(_ base: UInt8, _ p: Pointer, offset: Int64, size: Int, type: AccessType, value: UInt8?) throws(Failure) {
        // A constant move of the context pointer is part of the offset (Linux 7.2 accepts `ctx += 8; *(ctx + 0)`).
        if !p.variable.isZero {
            throw .access(
                "variable ctx access var_off=\(p.variable.bits) disallowed",
                "The context cannot be accessed at a variable offset.", [base])
        }
        let argumentCount = 2
        let valid = type == .read && offset >= 0 && offset < 8 * 12 && offset % Int64(size) == 0 && offset % 8 == 0
            && offset / 8 < argumentCount
        guard valid else {
            let why = type == .write
                ? "The struct_ops context (the loop_step arguments) is read-only."
                : "loop_step's context holds two 8-byte arguments (ctx at 0, lp at 8); offset \(offset) size \(size) is not one of them."
            throw .access("invalid bpf_context access off=\(offset) size=\(size)", why, [base])
        }
        guard let value else { return }
        let target: KernelStruct = offset == 0 ? .loopContext : .loopParameters
        set(value, .pointer(Pointer(.kernelStruct(target))))
    }

    // MARK: Kernel structs (PTR_TO_BTF_ID)

    mutating func kernelStructAccess(
        _ base: UInt8, _ p: Pointer, _ s: KernelStruct, offset off: Int64, size: Int, type: AccessType, value: UInt8?
    ) throws(Failure) {
        if off < 0 {
            throw .access(
                "R\(base) is ptr_\(s.name) invalid negative access: off=\(off)",
                "The access is before the start of struct \(s.name).", [base])
        }
        if !p.variable.isZero {
            throw .access(
                "R\(base) is ptr_\(s.name) invalid variable offset: off=\(off), var_off=\(p.variable.bits)",
                "Fields of struct \(s.name) can only be accessed at constant offsets.", [base])
        }
        if type == .write {
            guard let writable = s.writable, off + Int64(size) <= Int64(writable.upperBound) else {
                throw .access(
                    s.writable == nil ? "only read is supported" : "access to struct \(s.name) at off \(off) size \(size) is not writable",
                    s.writable == nil
                        ? "struct \(s.name) cannot be written by the program."
                        : "Only \(s.members.map(\.name).joined(separator: ", ")) (bytes \(s.writable!.lowerBound)..<\(s.writable!.upperBound)) of struct \(s.name) may be written; this \(size)-byte store at \(off) is outside.",
                    [base])
            }
            return
        }
        guard off + Int64(size) <= Int64(s.size) else {
            throw .access(
                "access beyond struct \(s.name) at off \(off) size \(size)",
                "The \(size)-byte load at offset \(off) reads past the end of struct \(s.name) (\(s.size) bytes).", [base])
        }
        if let member = s.members.first(where: { Int64($0.offset) <= off && off < Int64($0.offset + $0.size) }),
            off + Int64(size) > Int64(member.offset + member.size)
        {
            throw .access(
                "access beyond the end of member \(member.name) (mend:\(member.offset + member.size)) in struct \(s.name) with off \(off) size \(size)",
                "The load crosses the end of member \(member.name) of struct \(s.name).", [base])
        }
        if let value { setLoaded(value, size: size, signExtend: false) }
    }
}
