/// How strictly `states_equal` compares (the kernel's `enum exact_level`).
enum Exactness {
    /// Pruning: the old state's precise scalars must contain the new ones; imprecise scalars and dead registers
    /// match anything.
    case notExact
    /// For callback loops: every scalar's range must contain the new one, precise or not.
    case rangeWithin
    /// Infinite-loop detection: identical live registers and stack.
    case exact
}

/// A consistent mapping of ids of an old state to ids of a new one (`bpf_idmap`).
struct IDMap {
    var pairs: [(old: Int, cur: Int)] = []
    var temporary = Int.max / 2

    mutating func check(_ old: Int, _ cur: Int) -> Bool {
        if (old == 0) != (cur == 0) { return false }
        if old == 0 { return true }
        for p in pairs {
            if p.old == old { return p.cur == cur }
            if p.cur == cur { return false }
        }
        pairs.append((old, cur))
        return true
    }

    mutating func checkScalar(_ old: Int, _ cur: Int) -> Bool {
        if old == 0 { return true }
        var cur = cur
        if cur == 0 {
            temporary += 1
            cur = temporary
        }
        return check(old, cur)
    }
}

extension VerifierRun {
    /// Whether `old` (a checkpoint) covers `cur`, so exploring `cur` further cannot find anything new.
    func statesEqual(_ checkpoint: Checkpoint, _ cur: VerifierState, at pc: Int, mode: Exactness) -> Bool {
        let old = checkpoint.state
        guard old.frames.count == cur.frames.count else { return false }
        var ids = IDMap()
        for i in old.frames.indices {
            let o = old.frames[i], c = cur.frames[i]
            guard o.callsite == c.callsite, o.callbackDepth <= c.callbackDepth else { return false }
            // Live registers of caller frames: those live at their call instruction.
            let at = i == old.frames.count - 1 ? pc : old.frames[i + 1].callsite
            let live = flow.liveBefore[at]
            let precise = checkpoint.precision.registers[i]
            for r in 0..<10 where live & (1 << r) != 0 {
                if !registerSafe(o.registers[r], c.registers[r], &ids, mode, precise: precise & (1 << r) != 0) {
                    return false
                }
            }
            if !stackSafe(o, c, &ids, mode, precise: checkpoint.precision.slots[i]) { return false }
        }
        return true
    }

    /// Linked scalars relate the same way: the same delta, added at the same width (`regsafe`).
    func sameDelta(_ old: ScalarLink, _ cur: ScalarLink) -> Bool {
        old.deltaWidth == cur.deltaWidth && (old.deltaWidth == nil || old.delta == cur.delta)
    }

    func rangeWithin(_ o: Scalar, _ c: Scalar) -> Bool {
        o.umin <= c.umin && c.umax <= o.umax && o.smin <= c.smin && c.smax <= o.smax
            && o.u32min <= c.u32min && c.u32max <= o.u32max && o.s32min <= c.s32min && c.s32max <= o.s32max
            && o.bits.contains(c.bits)
    }

    func registersExact(_ old: Register, _ cur: Register, _ ids: inout IDMap) -> Bool {
        switch (old, cur) {
        case (.uninitialized, .uninitialized): return true
        case (.scalar(let o, let oldLink), .scalar(let c, let curLink)):
            return o == c && sameDelta(oldLink, curLink) && ids.check(oldLink.id, curLink.id)
        case (.pointer(var o), .pointer(var c)):
            let (oid, cid) = (o.id, c.id)
            o.id = 0; c.id = 0
            return o == c && ids.check(oid, cid)
        default: return false
        }
    }

    /// `regsafe`.
    func registerSafe(_ old: Register, _ cur: Register, _ ids: inout IDMap, _ mode: Exactness, precise: Bool) -> Bool {
        if mode == .exact { return registersExact(old, cur, &ids) }
        switch (old, cur) {
        case (.uninitialized, _): return true
        case (.scalar(let o, let oldLink), .scalar(let c, let curLink)):
            if !precise && mode == .notExact { return true }
            return sameDelta(oldLink, curLink) && ids.checkScalar(oldLink.id, curLink.id) && rangeWithin(o, c)
        case (.pointer(let o), .pointer(let c)):
            guard o.kind == c.kind, o.maybeNull == c.maybeNull, o.offset == c.offset else { return false }
            switch o.kind {
            case .mapValue, .memory:
                return rangeWithin(o.variable, c.variable) && ids.check(o.id, c.id)
            default:
                return registersExact(old, cur, &ids)
            }
        default:
            return false
        }
    }

    /// The register a slot reads as when loaded whole as a scalar: its 64-bit scalar spill, or unknown if all MISC.
    func scalarForSlot(_ slot: StackSlot) -> Register? {
        if slot.isFullSpill, case .scalar = slot.spilled { return slot.spilled }
        if slot.bytes == SIMD8(repeating: StackByte.misc.rawValue) { return .unknownScalar }
        return nil
    }

    /// `stacksafe`.
    func stackSafe(_ old: Frame, _ cur: Frame, _ ids: inout IDMap, _ mode: Exactness, precise: UInt64) -> Bool {
        for s in old.stack.indices {
            let o = old.stack[s]
            let c = cur.slot(s)
            if mode == .exact {
                if s >= cur.stack.count || o.bytes != c.bytes { return false }
                if o.isSpill && !registersExact(o.spilled, c.spilled, &ids) { return false }
                continue
            }
            if o.bytes == .zero { continue }
            var spillCompared = false
            for b in stride(from: 7, through: 0, by: -1) {
                let ob = o.byte(b)
                if ob == .invalid || ob == .misc { continue }
                if s >= cur.stack.count { return false }
                let slotPrecise = s < 64 && precise & (1 << UInt64(s)) != 0
                if !spillCompared, let or = scalarForSlot(o), let cr = scalarForSlot(c) {
                    if !registerSafe(or, cr, &ids, mode, precise: slotPrecise) { return false }
                    break
                }
                spillCompared = true
                let cb = c.byte(b)
                if ob == .misc && cb == .zero { continue }
                if ob != cb { return false }
            }
            if o.isSpill && !(scalarForSlot(o) != nil && scalarForSlot(c) != nil) {
                if c.isSpill, !registerSafe(o.spilled, c.spilled, &ids, mode, precise: s < 64 && precise & (1 << UInt64(s)) != 0) { return false }
                if !c.isSpill { return false }
            }
        }
        return true
    }
}
