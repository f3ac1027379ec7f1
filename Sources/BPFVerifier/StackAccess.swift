/// Stack accesses: bounds of the 512-byte frame, spills and fills of registers, variable offsets
/// (`check_stack_access_within_bounds`, `check_stack_write_*`, `check_stack_read_*`).
extension VerifierRun {
    static let stackSize: Int64 = 512

    /// The bytes `[min, max)` an access of `size` at `off` (plus the pointer's variable part) may touch.
    func stackBounds(_ base: UInt8, _ p: Pointer, offset off: Int64, size: Int, verb: String) throws(Failure) -> (Int64, Int64) {
        let v = p.variable
        var minOff: Int64, maxOff: Int64
        if v.isConstant {
            minOff = Int64(bitPattern: v.bits.value) + off
            maxOff = minOff + Int64(size)
        } else {
            if v.smax >= maxVariableOffset || v.smin <= -maxVariableOffset {
                throw .access(
                    "invalid unbounded variable-offset \(verb) stack R\(base)",
                    "The stack offset in R\(base) has no bounds: check or mask the index first.", [base])
            }
            minOff = v.smin + off
            maxOff = v.smax + off + Int64(size)
        }
        let message = v.isConstant
            ? "invalid \(verb) stack R\(base) off=\(off) size=\(size)"
            : "invalid variable-offset \(verb) stack R\(base) var_off=\(v.bits) off=\(off) size=\(size)"
        if minOff < -Self.stackSize || minOff > -1 {
            throw .access(
                message,
                "The \(size)-byte stack access at \(minOff) is outside the frame (r10-512 up to r10).", [base])
        }
        if maxOff > 0 {
            throw .invalid(message, "The stack access reaches above the frame pointer (r10).", [base])
        }
        return (minOff, maxOff)
    }

    mutating func noteStackDepth(frame: Int, minOffset: Int64) {
        let function = path.state.frames[frame].functionStart
        stackDepth[function] = max(stackDepth[function] ?? 0, Int(-minOffset))
        path.state.frames[frame].ensureSlot(Int((-minOffset - 1) / 8))
    }

    mutating func stackAccess(
        _ base: UInt8, _ p: Pointer, frame: Int, offset off: Int64, size: Int, type: AccessType, value: UInt8?,
        immediate: Int64?, signExtend: Bool
    ) throws(Failure) {
        let (minOff, _) = try stackBounds(base, p, offset: off, size: size, verb: type == .write ? "write to" : "read from")
        noteStackDepth(frame: frame, minOffset: minOff)
        if p.variable.isConstant {
            let at = minOff
            if let last = path.history.indices.last, path.history[last].pc == Int32(path.pc) {
                path.history[last].stackFrame = Int8(frame)
                path.history[last].stackSlot = Int8((-at - 1) / 8)
            }
            if type == .write {
                try stackWriteFixed(frame: frame, at: at, size: size, value: value, immediate: immediate)
            } else {
                try stackReadFixed(frame: frame, at: at, size: size, value: value, signExtend: signExtend)
            }
            return
        }
        if type == .write {
            stackWriteVariable(frame: frame, p, offset: off, size: size, value: value, immediate: immediate)
        } else {
            try stackRangeReadable(base, p, frame: frame, offset: off, size: size, verb: "read from")
            if let value {
                let (lo, hi) = (p.variable.smin + off, p.variable.smax + off + Int64(size))
                let allZero = (lo..<hi).allSatisfy { byteKind(frame: frame, at: $0) == .zero }
                if allZero { set(value, .constant(0)) } else { setLoaded(value, size: size, signExtend: signExtend) }
            }
        }
    }

    func byteKind(frame: Int, at a: Int64) -> StackByte {
        let slot = Int(-a - 1)
        return path.state.frames[frame].slot(slot / 8).byte(slot % 8)
    }

    /// Bit width of the values a scalar may hold (`get_reg_width`).
    func width(_ s: Scalar) -> Int { 64 - s.umax.leadingZeroBitCount }

    /// `save_register_state`.
    func saved(_ slot: StackSlot, _ reg: Register, size: Int) -> StackSlot {
        var s = slot
        s.spilled = reg
        for i in (8 - size)..<8 { s.setByte(i, .spill) }
        for i in 0..<(8 - size) {
            let b = s.byte(i)
            if b != .zero && b != .invalid { s.setByte(i, .misc) }
        }
        return s
    }

    mutating func stackWriteFixed(frame: Int, at off: Int64, size: Int, value: UInt8?, immediate: Int64?) throws(Failure) {
        let slotPosition = Int(-off - 1)
        let index = slotPosition / 8
        let aligned = off % 8 == 0
        var slot = path.state.frames[frame].slot(index)
        var reg = value.map { path.state[register: $0] }
        if let r = reg, aligned, case .scalar(let s, _) = r {
            let fits = width(s) <= 8 * size
            var spilled = r
            if fits, let value {
                spilled = .scalar(s, link: linkForCopy(of: value))
                reg = spilled
            }
            if !fits { spilled = .scalar(s, link: .unlinked) }
            slot = saved(slot, spilled, size: size)
        } else if reg == nil, aligned, let immediate {
            slot = saved(slot, .constant(UInt64(bitPattern: immediate)), size: size)
        } else if let r = reg, case .pointer(let p) = r {
            if size != 8 {
                throw .access("invalid size of register spill", "A pointer can only be stored to the stack whole (8 bytes), not in \(size) bytes.", [value!])
            }
            if frame != path.state.currentFrameNumber, case .stack = p.kind {
                throw .invalid(
                    "cannot spill pointers to stack into stack frame of the caller",
                    "A stack pointer may not be stored into a caller's stack frame.", [value!])
            }
            slot = saved(slot, r, size: 8)
        } else {
            var kind = StackByte.misc
            if let r = reg, case .scalar(let s, _) = r, s.isZero {
                kind = .zero
                if let value { markPrecise([value]) }
            }
            if reg == nil, let immediate, immediate == 0 { kind = .zero }
            if slot.isSpill {
                for i in 0..<8 where slot.byte(i) != .invalid { slot.setByte(i, .misc) }
            }
            slot.spilled = .uninitialized
            for i in 0..<size { slot.setByte((slotPosition - i) % 8, kind) }
        }
        path.state.frames[frame].ensureSlot(index)
        path.state.frames[frame].stack[index] = slot
        path.precise.slots[frame] &= ~(UInt64(1) << UInt64(index))
    }

    mutating func stackReadFixed(frame: Int, at off: Int64, size: Int, value: UInt8?, signExtend: Bool) throws(Failure) {
        let slotPosition = Int(-off - 1)
        let slot = path.state.frames[frame].slot(slotPosition / 8)
        if slot.isSpill {
            var spillSize = 1
            var i = 7
            while i > 0 && slot.byte(i - 1) == .spill {
                spillSize += 1
                i -= 1
            }
            if size != 8 || spillSize != 8 {
                guard case .scalar(let spilled, let link) = slot.spilled else {
                    throw .access(
                        "invalid size of register fill",
                        "A pointer spilled to the stack can only be loaded back whole (8 bytes).", value.map { [$0] } ?? [])
                }
                guard let value else { return }
                if size <= spillSize && off % 8 == 0 {
                    var s = spilled
                    let keep = width(s) <= size * 8
                    if size < 8 {
                        if signExtend { s.signExtend(fromBytes: size) } else { s.truncate(toBytes: size) }
                    }
                    set(value, .scalar(s, link: keep ? link : .unlinked))
                } else {
                    var spills = 0, zeros = 0
                    for i in 0..<size {
                        switch slot.byte((slotPosition - i) % 8) {
                        case .spill: spills += 1
                        case .zero: zeros += 1
                        default: break
                        }
                    }
                    if (spills == size && spilled.isZero) || zeros == size {
                        set(value, .constant(0))
                    } else {
                        setLoaded(value, size: size, signExtend: signExtend)
                    }
                }
                return
            }
            if let value { set(value, slot.spilled) }
            return
        }
        for i in 0..<size where slot.byte((slotPosition - i) % 8) == .spill {
            throw .access(
                "invalid read from stack off \(off)+\(i) size \(size)",
                "The load reads part of a spilled register.", value.map { [$0] } ?? [])
        }
        guard let value else { return }
        let allZero = (0..<size).allSatisfy { slot.byte((slotPosition - $0) % 8) == .zero }
        if allZero { set(value, .constant(0)) } else { setLoaded(value, size: size, signExtend: signExtend) }
    }

    /// `check_stack_write_var_off`: every byte the write may touch becomes data; spills there are lost.
    mutating func stackWriteVariable(frame: Int, _ p: Pointer, offset off: Int64, size: Int, value: UInt8?, immediate: Int64?) {
        var writingZero = false
        if let value, case .scalar(let s, _) = path.state[register: value], s.isZero { writingZero = true }
        if value == nil, let immediate, immediate == 0 { writingZero = true }
        let lo = p.variable.smin + off, hi = p.variable.smax + off + Int64(size)
        for a in lo..<hi {
            let position = Int(-a - 1)
            let index = position / 8
            path.state.frames[frame].ensureSlot(index)
            var slot = path.state.frames[frame].stack[index]
            let b = position % 8
            if writingZero && slot.byte(b) == .spill, case .scalar(let s, _) = slot.spilled, s.isZero { continue }
            slot.spilled = .uninitialized
            slot.setByte(b, writingZero && slot.byte(b) == .zero ? .zero : .misc)
            path.state.frames[frame].stack[index] = slot
            if index < 64 { path.precise.slots[frame] &= ~(UInt64(1) << UInt64(index)) }
        }
    }

    /// `check_stack_range_initialized` for a root loader: the range must be inside the frame; uninitialised
    /// bytes are allowed (`allow_uninit_stack`), and so are spills.
    mutating func stackRangeReadable(_ base: UInt8, _ p: Pointer, frame: Int, offset off: Int64, size: Int, verb: String = "indirect access to") throws(Failure) {
        let (minOff, _) = try stackBounds(base, p, offset: off, size: size, verb: verb)
        noteStackDepth(frame: frame, minOffset: minOff)
        let lo = p.variable.isConstant ? minOff : p.variable.smin + off
        let hi = (p.variable.isConstant ? minOff : p.variable.smax + off) + Int64(size)
        for a in lo..<hi {
            let position = Int(-a - 1)
            let slot = path.state.frames[frame].slot(position / 8)
            if slot.byte(position % 8) == .spill && !slot.isSpill {
                throw .access(
                    "invalid \(verb == "read from" ? "read from" : "indirect read from") stack R\(base) off \(lo)+\(a - lo) size \(size)",
                    "The stack bytes at \(a) hold part of a spilled register.", [base])
            }
        }
    }
}
