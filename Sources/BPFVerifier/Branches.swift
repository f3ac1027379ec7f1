import BPF

/// Conditional jumps (`check_cond_jmp_op`): decide the branch when the states allow it, otherwise explore both with
/// the ranges each branch implies, and NULL-check refinement of pointers by id.
extension VerifierRun {
    enum Condition: Equatable {
        case eq, ne, gt, ge, lt, le, sgt, sge, slt, sle, set, notSet

        init?(_ code: UInt8) {
            switch code {
            case ISA.JMP.jeq: self = .eq
            case ISA.JMP.jne: self = .ne
            case ISA.JMP.jgt: self = .gt
            case ISA.JMP.jge: self = .ge
            case ISA.JMP.jlt: self = .lt
            case ISA.JMP.jle: self = .le
            case ISA.JMP.jsgt: self = .sgt
            case ISA.JMP.jsge: self = .sge
            case ISA.JMP.jslt: self = .slt
            case ISA.JMP.jsle: self = .sle
            case ISA.JMP.jset: self = .set
            default: return nil
            }
        }

        /// The condition of the other branch (`rev_opcode`).
        var negated: Condition {
            switch self {
            case .eq: .ne
            case .ne: .eq
            case .gt: .le
            case .le: .gt
            case .ge: .lt
            case .lt: .ge
            case .sgt: .sle
            case .sle: .sgt
            case .sge: .slt
            case .slt: .sge
            case .set: .notSet
            case .notSet: .set
            }
        }

        /// The same test with the operands swapped (`flip_opcode`).
        var flipped: Condition {
            switch self {
            case .gt: .lt
            case .lt: .gt
            case .ge: .le
            case .le: .ge
            case .sgt: .slt
            case .slt: .sgt
            case .sge: .sle
            case .sle: .sge
            default: self
            }
        }
    }

    /// `exit`, `call`, `ja` and conditional jumps.
    mutating func jump(_ insn: Instruction, at pc: Int) throws(Failure) -> StepResult {
        let code = insn.opcode & 0xf0
        let is32 = insn.opcode & 0x07 == 0x06
        if code == ISA.JMP.exit {
            guard insn.opcode == ISA.exit else { throw .invalid("BPF_EXIT uses reserved fields", "This exit instruction has invalid fields.") }
            return try exit(at: pc)
        }
        if code == ISA.JMP.call {
            guard insn.opcode == ISA.call else {
                throw .invalid("BPF_CALL uses reserved fields", "Only `call imm` is valid here (no 32-bit or register calls).")
            }
            try call(insn, at: pc)
            return .next
        }
        if code == ISA.JMP.ja {
            path.pc = ControlFlow.target(of: insn, at: pc)
            path.jumpsSinceCheckpoint += 1
            return .next
        }
        guard let condition = Condition(code) else {
            throw .invalid("invalid BPF_JMP/JMP32 opcode \(String(insn.opcode, radix: 16))", "Unknown jump 0x\(String(insn.opcode, radix: 16)).")
        }
        let isX = insn.opcode & ISA.sourceX != 0
        let dstValue = try readable(insn.dst)
        let srcValue: Register = isX ? try readable(insn.src) : .constant(UInt64(bitPattern: Int64(insn.imm)))
        let target = ControlFlow.target(of: insn, at: pc)
        path.jumpsSinceCheckpoint += 1

        let taken = branchTaken(dstValue, srcValue, condition, is32: is32, sameRegister: isX && insn.src == insn.dst)
        if taken != nil {
            var decided: [UInt8] = []
            if case .scalar = dstValue { decided.append(insn.dst) }
            if isX, case .scalar = srcValue { decided.append(insn.src) }
            markPrecise(decided)
        }
        if taken == true {
            path.pc = target
            return .next
        }
        if taken == false {
            path.pc = pc + 1
            return .next
        }

        var jumpState = path.state
        var fallState = path.state
        path.state.frames = []  // so fallState is the only owner and is changed in place
        var jumpDead = false, fallDead = false
        if case .scalar(let d, let dlink) = dstValue, case .scalar(let s, let slink) = srcValue {
            let same = isX && insn.src == insn.dst
            if !same {
                var (jd, js) = (d, s), (fd, fs) = (d, s)
                refine(&jd, &js, condition, is32: is32)
                refine(&fd, &fs, condition.negated, is32: is32)
                jumpDead = jd.isInconsistent || js.isInconsistent
                fallDead = fd.isInconsistent || fs.isInconsistent
                jumpState[register: insn.dst] = .scalar(jd, link: dlink)
                fallState[register: insn.dst] = .scalar(fd, link: dlink)
                if isX {
                    jumpState[register: insn.src] = .scalar(js, link: slink)
                    fallState[register: insn.src] = .scalar(fs, link: slink)
                    if slink.isLinked {
                        syncLinked(&jumpState, js, slink)
                        syncLinked(&fallState, fs, slink)
                    }
                }
                if dlink.isLinked {
                    syncLinked(&jumpState, jd, dlink)
                    syncLinked(&fallState, fd, dlink)
                }
            }
        }
        if !is32 && !isX && insn.imm == 0 && (condition == .eq || condition == .ne),
            case .pointer(let p) = dstValue, p.maybeNull
        {
            markNull(&jumpState, id: p.id, isNull: condition == .eq)
            markNull(&fallState, id: p.id, isNull: condition == .ne)
        }
        if jumpDead && fallDead {
            // Both impossible: the path cannot happen (the kernel reports this as a bounds invariant violation).
            return .exit
        }
        if jumpDead {
            path.state = fallState
            path.pc = pc + 1
            return .next
        }
        if fallDead {
            path.state = jumpState
            path.pc = target
            return .next
        }
        try push(jumpState, at: target)
        path.state = fallState
        path.pc = pc + 1
        return .next
    }

    // MARK: is_branch_taken

    /// true/false when the comparison's outcome is known, nil when both branches are possible.
    func branchTaken(_ a: Register, _ b: Register, _ c: Condition, is32: Bool, sameRegister: Bool) -> Bool? {
        if a.isPointer || b.isPointer {
            var pointer = a, other = b, condition = c
            if !isConstant(other, is32: is32) {
                swap(&pointer, &other)
                condition = condition.flipped
            }
            guard isConstant(other, is32: is32), case .pointer(let p) = pointer, isNotNull(p),
                let value = other.scalar?.bits.value, (is32 ? value & 0xffff_ffff : value) == 0
            else { return nil }
            switch condition {
            case .eq: return false
            case .ne: return true
            default: return nil
            }
        }
        guard case .scalar(let x, _) = a, case .scalar(let y, _) = b else { return nil }
        if sameRegister {
            switch c {
            case .ge, .le, .sge, .sle, .eq: return true
            case .gt, .lt, .sgt, .slt, .ne: return false
            default: return nil
            }
        }
        return scalarBranchTaken(x, y, c, is32: is32)
    }

    func isConstant(_ r: Register, is32: Bool) -> Bool {
        guard case .scalar(let s, _) = r else { return false }
        return is32 ? s.subregisterIsConstant : s.isConstant
    }

    /// `reg_not_null`.
    func isNotNull(_ p: Pointer) -> Bool {
        if p.maybeNull { return false }
        switch p.kind {
        case .mapValue, .kernelStruct, .memory: return true
        default: return false
        }
    }

    func scalarBranchTaken(_ r1: Scalar, _ r2: Scalar, _ c: Condition, is32: Bool) -> Bool? {
        let t1 = is32 ? r1.bits.subregister : r1.bits
        let t2 = is32 ? r2.bits.subregister : r2.bits
        let umin1 = is32 ? UInt64(r1.u32min) : r1.umin, umax1 = is32 ? UInt64(r1.u32max) : r1.umax
        let smin1 = is32 ? Int64(r1.s32min) : r1.smin, smax1 = is32 ? Int64(r1.s32max) : r1.smax
        let umin2 = is32 ? UInt64(r2.u32min) : r2.umin, umax2 = is32 ? UInt64(r2.u32max) : r2.umax
        let smin2 = is32 ? Int64(r2.s32min) : r2.smin, smax2 = is32 ? Int64(r2.s32max) : r2.smax
        switch c {
        case .eq, .ne:
            let equal = c == .eq
            if t1.isConstant && t2.isConstant { return (t1.value == t2.value) == equal }
            if umin1 > umax2 || umax1 < umin2 { return !equal }
            if smin1 > smax2 || smax1 < smin2 { return !equal }
            if !is32 {
                if r1.u32min > r2.u32max || r1.u32max < r2.u32min { return !equal }
                if r1.s32min > r2.s32max || r1.s32max < r2.s32min { return !equal }
            }
        case .set, .notSet:
            var (a, b) = (t1, t2)
            if !b.isConstant { swap(&a, &b) }
            guard b.isConstant else { return nil }
            if (~a.mask & a.value) & b.value != 0 { return c == .set }
            if (a.mask | a.value) & b.value == 0 { return c != .set }
        case .gt:
            if umin1 > umax2 { return true } else if umax1 <= umin2 { return false }
        case .sgt:
            if smin1 > smax2 { return true } else if smax1 <= smin2 { return false }
        case .lt:
            if umax1 < umin2 { return true } else if umin1 >= umax2 { return false }
        case .slt:
            if smax1 < smin2 { return true } else if smin1 >= smax2 { return false }
        case .ge:
            if umin1 >= umax2 { return true } else if umax1 < umin2 { return false }
        case .sge:
            if smin1 >= smax2 { return true } else if smax1 < smin2 { return false }
        case .le:
            if umax1 <= umin2 { return true } else if umin1 > umax2 { return false }
        case .sle:
            if smax1 <= smin2 { return true } else if smin1 > smax2 { return false }
        }
        return nil
    }

    // MARK: regs_refine_cond_op

    /// Narrows `r1` and `r2` to the values for which `r1 c r2` holds.
    func refine(_ a: inout Scalar, _ b: inout Scalar, _ condition: Condition, is32: Bool) {
        var c = condition
        var swapped = false
        switch c {
        case .ge, .gt, .sge, .sgt:
            c = c.flipped
            swapped = true
        default: break
        }
        var r1 = swapped ? b : a
        var r2 = swapped ? a : b
        switch c {
        case .eq:
            if is32 {
                r1.u32min = max(r1.u32min, r2.u32min); r1.u32max = min(r1.u32max, r2.u32max)
                r1.s32min = max(r1.s32min, r2.s32min); r1.s32max = min(r1.s32max, r2.s32max)
                r2.u32min = r1.u32min; r2.u32max = r1.u32max; r2.s32min = r1.s32min; r2.s32max = r1.s32max
                let t = r1.bits.subregister.intersect(r2.bits.subregister)
                r1.bits = r1.bits.withSubregister(t)
                r2.bits = r2.bits.withSubregister(t)
            } else {
                r1.umin = max(r1.umin, r2.umin); r1.umax = min(r1.umax, r2.umax)
                r1.smin = max(r1.smin, r2.smin); r1.smax = min(r1.smax, r2.smax)
                r2.umin = r1.umin; r2.umax = r1.umax; r2.smin = r1.smin; r2.smax = r1.smax
                r1.bits = r1.bits.intersect(r2.bits)
                r2.bits = r1.bits
            }
        case .ne:
            var (x, y) = (r1, r2)
            var flippedOperands = false
            if !(is32 ? y.subregisterIsConstant : y.isConstant) {
                swap(&x, &y)
                flippedOperands = true
            }
            if is32 ? y.subregisterIsConstant : y.isConstant {
                let v = y.bits.value
                if is32 {
                    if x.u32min == UInt32(truncatingIfNeeded: v) { x.u32min &+= 1 }
                    if x.u32max == UInt32(truncatingIfNeeded: v) { x.u32max &-= 1 }
                    if x.s32min == Int32(truncatingIfNeeded: v) { x.s32min &+= 1 }
                    if x.s32max == Int32(truncatingIfNeeded: v) { x.s32max &-= 1 }
                } else {
                    if x.umin == v { x.umin &+= 1 }
                    if x.umax == v { x.umax &-= 1 }
                    if x.smin == Int64(bitPattern: v) { x.smin &+= 1 }
                    if x.smax == Int64(bitPattern: v) { x.smax &-= 1 }
                }
            }
            if flippedOperands { (r1, r2) = (y, x) } else { (r1, r2) = (x, y) }
        case .set, .notSet:
            var (x, y) = (r1, r2)
            var flippedOperands = false
            if !(is32 ? y.subregisterIsConstant : y.isConstant) {
                swap(&x, &y)
                flippedOperands = true
            }
            if is32 ? y.subregisterIsConstant : y.isConstant {
                let v = is32 ? y.bits.value & 0xffff_ffff : y.bits.value
                if c == .set {
                    if v != 0 && v & (v - 1) == 0 {
                        if is32 {
                            x.bits = x.bits.withSubregister(x.bits.subregister | .constant(v))
                        } else {
                            x.bits = x.bits | .constant(v)
                        }
                    }
                } else {
                    x.markUnbounded64()
                    x.markUnbounded32()
                    if is32 {
                        x.bits = x.bits.withSubregister(x.bits.subregister & .constant(~v))
                    } else {
                        x.bits = x.bits & .constant(~v)
                    }
                }
            }
            if flippedOperands { (r1, r2) = (y, x) } else { (r1, r2) = (x, y) }
        case .le:
            if is32 {
                r1.u32max = min(r1.u32max, r2.u32max); r2.u32min = max(r1.u32min, r2.u32min)
            } else {
                r1.umax = min(r1.umax, r2.umax); r2.umin = max(r1.umin, r2.umin)
            }
        case .lt:
            if is32 {
                r1.u32max = min(r1.u32max, r2.u32max &- 1); r2.u32min = max(r1.u32min &+ 1, r2.u32min)
            } else {
                r1.umax = min(r1.umax, r2.umax &- 1); r2.umin = max(r1.umin &+ 1, r2.umin)
            }
        case .sle:
            if is32 {
                r1.s32max = min(r1.s32max, r2.s32max); r2.s32min = max(r1.s32min, r2.s32min)
            } else {
                r1.smax = min(r1.smax, r2.smax); r2.smin = max(r1.smin, r2.smin)
            }
        case .slt:
            if is32 {
                r1.s32max = min(r1.s32max, r2.s32max &- 1); r2.s32min = max(r1.s32min &+ 1, r2.s32min)
            } else {
                r1.smax = min(r1.smax, r2.smax &- 1); r2.smin = max(r1.smin &+ 1, r2.smin)
            }
        default: break
        }
        if !r1.isInconsistent { r1.sync() }
        if !r2.isInconsistent { r2.sync() }
        if swapped { (a, b) = (r2, r1) } else { (a, b) = (r1, r2) }
    }

    /// Copies a refined scalar to every register linked to it, moved by the difference of their deltas
    /// (`sync_linked_regs`).
    func syncLinked(_ state: inout VerifierState, _ known: Scalar, _ knownLink: ScalarLink) {
        state.forEachRegister { r in
            guard case .scalar(_, let link) = r, link.id == knownLink.id else { return }
            // A delta added by 32-bit arithmetic and one added by 64-bit arithmetic relate different values.
            if let a = link.deltaWidth, let b = knownLink.deltaWidth, a != b { return }
            var value = known
            if link.delta != knownLink.delta {
                let difference = Int64(link.delta) - Int64(knownLink.delta)
                value.apply(.add, .constant(UInt64(bitPattern: difference)), is64: true)
                if link.deltaWidth == .bits32 || knownLink.deltaWidth == .bits32 { value.zeroExtend32() }
                value.sync()
            }
            r = .scalar(value, link: link)
        }
    }

    /// After `if (p == 0)`: every copy of the NULL-able pointer `id` is NULL or valid (`mark_ptr_or_null_regs`).
    func markNull(_ state: inout VerifierState, id: Int, isNull: Bool) {
        guard id != 0 else { return }
        state.forEachRegister { r in
            guard case .pointer(var p) = r, p.maybeNull, p.id == id else { return }
            if isNull {
                r = .constant(0)
            } else {
                p.maybeNull = false
                p.id = 0
                r = .pointer(p)
            }
        }
    }
}
