import BPF

/// Which copy of a guarded loop the compiler is emitting.
enum LoopCopy {
    /// The copy without the checks the guard took over: its jumps stay inside it.
    case fast(GuardedLoop, labels: [Int: X86Label])
    /// The copy with every check, run when the guard fails: its back edge skips the guard.
    case checked(GuardedLoop, header: X86Label)
    /// An access group's copy without its members' checks (`AccessGroup`).
    case group(AccessGroup)
}

extension Optional<LoopCopy> {
    var isFast: Bool {
        if case .fast = self { return true }
        return false
    }
}

/// Guarded loops (`LoopAnalysis`): at the header, a guard checks once that every hoisted access range lies
/// inside its site's window (asking Swift when it does not, which refills the window), then runs a copy of the
/// loop without those checks; if a range is not covered or a bound would wrap around, it runs the loop as
/// usual, which then stops at exactly the access the interpreter would stop at. Both copies count and refuel
/// the same way, and a refuel inside the fast copy returns to it: the ranges do not depend on the fuel.
extension JITCompiler {
    mutating func emitGuardedLoop(_ loop: GuardedLoop) {
        let h = loop.header, b = loop.backEdge
        asm.bind(labels[h])
        let checkedHeader = asm.makeLabel()
        emitGuard(loop, fail: checkedHeader)
        var fastLabels: [Int: X86Label] = [:]
        var i = h
        while i <= b {
            fastLabels[i] = asm.makeLabel()
            i += slots[i].op == .lddw ? 2 : 1
        }
        let fastHeader = fastLabels[h]!
        if let counted = loop.counted {
            // The batches come first; the guarded copy runs single iterations between them and goes back.
            let batches = asm.makeLabel()
            asm.bind(batches)
            copy = .fast(loop, labels: fastLabels)
            emitBatches(loop, counted, guarded: fastHeader, exit: labels[b + 1])
            fastLabels[h] = batches
        } else {
            asm.align(Self.loopAlignment)
        }
        copy = .fast(loop, labels: fastLabels)
        i = h
        while i <= b {
            i = emitInstruction(at: i, label: i == h ? fastHeader : fastLabels[i]!)
        }
        if slots[b].op != .ja { asm.jmp(labels[b + 1]) }  // the back edge not taken
        copy = .checked(loop, header: checkedHeader)
        asm.align(Self.loopAlignment)
        i = h
        while i <= b { i = emitInstruction(at: i, label: i == h ? checkedHeader : labels[i]) }
        copy = nil
    }

    /// Falls through into the fast copy if every range is covered; jumps to `fail` otherwise.
    private mutating func emitGuard(_ loop: GuardedLoop, fail: X86Label) {
        for induction in loop.inductions { evaluate(induction, into: Self.scratch2, failure: fail) }
        for access in loop.accesses {
            let s = slots[access.index]
            let (size, kind) = Self.accessShape(s.op)
            let site = siteNumber(index: access.index, size: size, kind: kind, offset: s.off)
            let window = JITContext.siteWindowOffset(site)
            let miss = asm.makeLabel(), next = asm.makeLabel()
            evaluate(access.low, into: Self.scratch, failure: fail)
            asm.alu(.cmp, Self.scratch, X86Memory(Self.context, window))
            asm.jcc(.below, miss)
            evaluate(access.high, into: Self.scratch2, failure: fail)
            asm.alu(.cmp, Self.scratch2, X86Memory(Self.context, window + 8))
            asm.jcc(.above, miss)
            asm.bind(next)
            stubs.append(.guardMiss(entry: miss, resume: next, fail: fail, site: site, access: access))
        }
    }

    /// Computes `bound` into `target` (no other register changes), jumping to `failure` if adding its offset
    /// wraps around.
    mutating func evaluate(_ bound: EntryBound, into target: X86Register, failure: X86Label) {
        let r = reg(bound.register)
        if let f = bound.follows {
            // r + ((counter bound - counter) >> shift) * step: the follower at the last iteration's start, or r if
            // the loop runs once. Over 2^31 iterations fails (so that the product fits).
            let once = asm.makeLabel(), done = asm.makeLabel()
            asm.lea(target, X86Memory(reg(f.bound), f.boundOffset))
            asm.alu(.sub, target, reg(f.counter))
            asm.jcc(.below, once)
            if f.shift > 0 { asm.shift(.shr, target, by: f.shift) }
            asm.alu(.cmp, target, immediate: Int32.max)
            asm.jcc(.above, failure)
            asm.imul(target, target, immediate: f.step)
            asm.alu(.add, target, r)
            asm.jcc(.below, failure)  // carry
            asm.jmp(done)
            asm.bind(once)
            asm.mov(target, r)
            asm.bind(done)
        } else if let other = bound.other, let stride = bound.stride {
            // r + ((U - r) rounded down to the stride), or r if U < r.
            let below = asm.makeLabel(), done = asm.makeLabel()
            asm.lea(target, X86Memory(reg(other), bound.otherOffset))
            asm.alu(.sub, target, r)
            asm.jcc(.below, below)
            asm.alu(.and, target, immediate: -stride)
            asm.alu(.add, target, r)
            asm.jmp(done)
            asm.bind(below)
            asm.mov(target, r)
            asm.bind(done)
        } else if let other = bound.other {
            asm.lea(target, X86Memory(reg(other), bound.otherOffset))
            asm.alu(.cmp, target, r)
            asm.cmov(.below, target, r)
        } else {
            asm.mov(target, r)
        }
        if bound.offset > 0 {
            asm.alu(.add, target, immediate: bound.offset)
            asm.jcc(.below, failure)  // carry
        } else if bound.offset < 0 {
            asm.alu(.sub, target, immediate: -bound.offset)  // offsets stay above -2^31 (LoopAnalysis.limit)
            asm.jcc(.below, failure)  // borrow
        }
    }

    /// Bytes and kind of a memory operation.
    static func accessShape(_ op: Op) -> (Int, AccessKind) {
        switch op {
        case .ldxb, .ldxsb: (1, .load)
        case .ldxh, .ldxsh: (2, .load)
        case .ldxw, .ldxsw: (4, .load)
        case .ldxdw: (8, .load)
        case .stb, .stxb: (1, .store)
        case .sth, .stxh: (2, .store)
        case .stw, .stxw: (4, .store)
        case .stdw, .stxdw: (8, .store)
        case .atomic32Add, .atomic32Or, .atomic32And, .atomic32Xor, .atomic32FetchAdd, .atomic32FetchOr,
            .atomic32FetchAnd, .atomic32FetchXor, .atomic32Xchg, .atomic32Cmpxchg:
            (4, .atomic)
        default: (8, .atomic)
        }
    }
}
