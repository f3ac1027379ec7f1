import BPF

/// A loop whose memory checks can be done once, at its entry, instead of at every access.
///
/// The loop is slots `header...backEdge`, entered only at `header`, left by jumps or by not taking the back
/// edge, with no calls and no inner loop, so the memory map cannot change while it runs. Each `HoistedAccess`
/// bounds the values its base register takes at that instruction in every iteration, as a function of the
/// registers at loop entry; if, at entry, each bounded range lies inside a region that allows the access (or
/// the stack window), the loop runs as a copy without those checks (`JITCompiler+Loops`), otherwise as usual.
struct GuardedLoop {
    var header: Int
    var backEdge: Int
    var accesses: [HoistedAccess]
    /// Bounded induction registers, each as its largest value at an iteration's start plus its step per
    /// iteration: the guard fails if that wraps around, as the bounds assume it does not.
    var inductions: [EntryBound]
    /// Set when the loop's trip count follows from its registers at entry (`CountedLoop`): it then runs in
    /// batches the fuel pays for in advance, unrolled.
    var counted: CountedLoop? = nil
}

/// The base register of a memory instruction in a guarded loop always lies in `[low, high]`.
struct HoistedAccess {
    var index: Int
    var low: EntryBound
    var high: EntryBound
}

/// An unsigned value computed at loop entry: `max(register, other + otherOffset) + offset` (`other` absent: just
/// `register + offset`), where `offset` must not wrap (the guard fails if it does) and `other + otherOffset` is
/// the wrapping value a program register holds. With a `stride` (a power of two), `other + otherOffset` is
/// first rounded down to `register` plus a multiple of it: the last value an induction register that steps by
/// exactly `stride` reaches without passing it.
struct EntryBound: Equatable {
    var register: UInt8
    var other: UInt8?
    var otherOffset: Int32 = 0
    var stride: Int32?
    /// Instead of `other`: `register` follows the loop's bounded counter (see `Follower`).
    var follows: Follower?
    var offset: Int32
}

/// An induction register that is not the one the back edge compares, bounded through the one that is: the
/// counter steps by exactly `1 << shift` per iteration and starts every iteration after the first at most at
/// `bound + boundOffset` (wrapping), so iteration k (from 0) exists only if `k <= (that - counter) >> shift`;
/// the follower grows by at most `step` per iteration, so it starts iteration k at most at `register + k * step`.
/// (A pointer walked alongside an index, the shape clang gives `for (i = 0; i < n; i++) ... p[i]`.)
struct Follower: Equatable {
    var counter: UInt8
    var bound: UInt8
    var boundOffset: Int32
    var shift: UInt8
    var step: Int32
}

/// Finds the loops `GuardedLoop` describes and bounds their accesses: a forward pass over the loop body (which
/// has only forward jumps) with, per register, "a symbol plus a constant range", where the symbol is a
/// register's value at loop entry (registers the loop never writes) or at the start of the current iteration
/// (registers it only increments by constants), and, for an induction register, the bound its back-edge
/// comparison puts on it (`r < B` or `r <= B` to go round again, with `B` loop-invariant: from the second
/// iteration on, r starts at most at B - 1 or B).
struct LoopAnalysis {
    let slots: [Slot]
    let functionEntries: Set<Int>

    /// Offsets are kept within ±2^31 (they become 32-bit immediates in the guard); wider ones are unknown.
    private static let limit: Int64 = 1 << 31 - 1

    /// The loops, in program order. They never overlap: a loop containing another's back edge has an inner
    /// loop, and one containing another's header is entered from outside.
    func guardedLoops() -> [GuardedLoop] {
        let entered = jumpTargetsFrom()
        var loops: [GuardedLoop] = []
        for b in slots.indices {
            guard slots[b].op.isJump, Int(slots[b].off) <= b else { continue }
            if var loop = analyze(header: Int(slots[b].off), backEdge: b, entered: entered), !loop.accesses.isEmpty {
                loop.counted = countedLoop(loop)
                loops.append(loop)
            }
        }
        return loops
    }

    /// For each slot, the slots that jump to it.
    private func jumpTargetsFrom() -> [Int: [Int]] {
        var sources: [Int: [Int]] = [:]
        for i in slots.indices where slots[i].op.isJump { sources[Int(slots[i].off), default: []].append(i) }
        return sources
    }

    private func analyze(header h: Int, backEdge b: Int, entered: [Int: [Int]]) -> GuardedLoop? {
        // Shape: one entry, forward jumps only (apart from the back edge), nothing that calls out or returns.
        var i = h
        while i <= b {
            let s = slots[i]
            switch s.op {
            case .callHelper, .callx, .callLocal, .unboundCall, .exit: return nil
            default: break
            }
            if i > h && functionEntries.contains(i) { return nil }
            if i > h, let from = entered[i], from.contains(where: { $0 < h || $0 > b }) { return nil }
            if s.op.isJump && i != b {
                let t = Int(s.off)
                if t <= i && t >= h { return nil }  // an inner loop (or a second back edge)
            }
            i += s.op == .lddw ? 2 : 1
        }
        guard i == b + 1 else { return nil }  // the back edge is not the second slot of an lddw (it cannot be)
        // Which registers the loop writes, and whether only by adding non-negative constants.
        var written = Set<UInt8>(), increments = Set<UInt8>(), otherwise = Set<UInt8>()
        i = h
        while i <= b {
            let s = slots[i]
            for r in writtenRegisters(s) {
                written.insert(r)
                if (s.op == .add64K && Int64(bitPattern: s.imm) >= 0) || (s.op == .sub64K && Int64(bitPattern: s.imm) <= 0) {
                    increments.insert(r)
                } else {
                    otherwise.insert(r)
                }
            }
            i += s.op == .lddw ? 2 : 1
        }
        let inductions = increments.subtracting(otherwise)

        // The forward pass. States at jump targets inside the loop collect what flows in.
        var pending: [Int: [AbstractValue]] = [:]
        var state: [AbstractValue]? = (0...10).map { r in
            if !written.contains(UInt8(r)) { return .offset(.entry(UInt8(r)), 0, 0) }
            if inductions.contains(UInt8(r)) { return .offset(.iteration(UInt8(r)), 0, 0) }
            return .unknown
        }
        var bases: [(index: Int, value: AbstractValue)] = []
        var backEdgeState: [AbstractValue] = []
        i = h
        while i <= b {
            if let incoming = pending.removeValue(forKey: i) {
                state = state.map { join($0, incoming) } ?? incoming
            }
            guard var current = state else {  // unreachable in straight line (after a `ja` or exit jump)
                i += slots[i].op == .lddw ? 2 : 1
                continue
            }
            let s = slots[i]
            if let base = memoryBase(s) { bases.append((i, current[Int(base)])) }
            if i == b { backEdgeState = current }
            transfer(s, &current)
            if s.op.isJump {
                let t = Int(s.off)
                if t > i && t <= b { pending[t] = pending[t].map { join($0, current) } ?? current }
                state = s.op == .ja ? nil : current
            } else {
                state = current
            }
            i += s.op == .lddw ? 2 : 1
        }

        // Induction registers bounded by the back edge: `r < B` / `r <= B` (B loop-invariant) to go round again,
        // every step non-negative, so at an iteration's start r lies in [r at entry, max(r at entry, B)].
        var bounded: [UInt8: (other: UInt8, otherOffset: Int32, step: Int64, exactStep: Int32?)] = [:]
        if let (register, bound, strict) = backEdgeBound(slots[b], backEdgeState),
            case .offset(.iteration(let r), _, _) = backEdgeState[Int(register)], r == register,
            inductions.contains(r),
            case .offset(.entry(let q), let c, let c2) = bound, c == c2,
            let qOffset = Int32(exactly: strict ? c - 1 : c)  // r < B: at most B - 1 (wrapping: a useless bound)
        {
            bounded[r] = (q, qOffset, stepAfter(r, header: h, backEdge: b), exactStep(of: r, header: h, backEdge: b))
        }
        var accesses: [HoistedAccess] = []
        for (index, value) in bases {
            guard case .offset(let symbol, let lo, let hi) = value, let lo32 = Int32(exactly: lo),
                let hi32 = Int32(exactly: hi)
            else { continue }
            switch symbol {
            case .entry(let r):
                accesses.append(HoistedAccess(
                    index: index, low: EntryBound(register: r, offset: lo32), high: EntryBound(register: r, offset: hi32)))
            case .iteration(let r):
                if let bound = bounded[r] {
                    let stride = bound.exactStep.flatMap { $0 > 1 ? $0 : nil }
                    accesses.append(HoistedAccess(
                        index: index, low: EntryBound(register: r, offset: lo32),
                        high: EntryBound(
                            register: r, other: bound.other, otherOffset: bound.otherOffset, stride: stride, offset: hi32)))
                } else if let (counter, bound) = bounded.first, let counterStep = bound.exactStep,
                    let step = Int32(exactly: stepAfter(r, header: h, backEdge: b))
                {
                    let follower = Follower(
                        counter: counter, bound: bound.other, boundOffset: bound.otherOffset,
                        shift: UInt8(counterStep.trailingZeroBitCount), step: step)
                    accesses.append(HoistedAccess(
                        index: index, low: EntryBound(register: r, offset: lo32),
                        high: EntryBound(register: r, follows: follower, offset: hi32)))
                }
            }
        }
        let guardedInductions = bounded.compactMap { r, bound -> EntryBound? in
            guard let step = Int32(exactly: bound.step) else { return nil }
            let stride = bound.exactStep.flatMap { $0 > 1 ? $0 : nil }
            return EntryBound(register: r, other: bound.other, otherOffset: bound.otherOffset, stride: stride, offset: step)
        }
        guard guardedInductions.count == bounded.count else { return nil }
        return GuardedLoop(header: h, backEdge: b, accesses: accesses, inductions: guardedInductions)
    }

    /// The most a bounded induction register grows within one iteration (the sum of its increments on the
    /// longest path), which its largest value adds to the bound.
    private func stepAfter(_ r: UInt8, header h: Int, backEdge b: Int) -> Int64 {
        var total: Int64 = 0
        var i = h
        while i <= b {
            let s = slots[i]
            if s.dst == r && (s.op == .add64K || s.op == .sub64K) {
                let delta = s.op == .add64K ? Int64(bitPattern: s.imm) : -Int64(bitPattern: s.imm)
                total = min(total &+ delta, Self.limit)
            }
            i += s.op == .lddw ? 2 : 1
        }
        return total
    }

    /// The exact step of induction register `r`, if it is a power of two added by the only write to r, on every
    /// path through the loop (no jump from before it lands after it inside the loop).
    func exactStep(of r: UInt8, header h: Int, backEdge b: Int) -> Int32? {
        var writes: [Int] = []
        var i = h
        while i <= b {
            if writtenRegisters(slots[i]).contains(r) { writes.append(i) }
            i += slots[i].op == .lddw ? 2 : 1
        }
        guard writes.count == 1, let w = writes.first, slots[w].op == .add64K else { return nil }
        let step = Int64(bitPattern: slots[w].imm)
        guard step > 0, step & (step - 1) == 0, let stride = Int32(exactly: step) else { return nil }
        for j in h..<w where slots[j].op.isJump {
            let t = Int(slots[j].off)
            if t > w && t <= b { return nil }
        }
        return stride
    }

    /// For a back edge taken when `r < B` or `r <= B` (either operand order): the register, B's value, and
    /// whether the comparison is strict.
    private func backEdgeBound(_ s: Slot, _ state: [AbstractValue]) -> (UInt8, AbstractValue, Bool)? {
        switch s.op {
        case .jltX: return (s.dst, state[Int(s.src)], true)
        case .jleX: return (s.dst, state[Int(s.src)], false)
        case .jgtX: return (s.src, state[Int(s.dst)], true)
        case .jgeX: return (s.src, state[Int(s.dst)], false)
        default: return nil
        }
    }

    // MARK: The abstract values

    enum Symbol: Equatable {
        /// The register's value when the loop was entered (it never changes in the loop).
        case entry(UInt8)
        /// The register's value at the start of the current iteration.
        case iteration(UInt8)
    }

    /// `.offset(s, lo, hi)`: the value is s + c for some c in [lo, hi] (no wrap-around, which the guard checks);
    /// `.constant(lo, hi)`: a value in [lo, hi].
    enum AbstractValue: Equatable {
        case unknown
        case offset(Symbol, Int64, Int64)
        case constant(Int64, Int64)
    }

    private func join(_ a: AbstractValue, _ b: AbstractValue) -> AbstractValue {
        switch (a, b) {
        case (.offset(let s, let l1, let h1), .offset(let t, let l2, let h2)) where s == t:
            return .offset(s, min(l1, l2), max(h1, h2))
        case (.constant(let l1, let h1), .constant(let l2, let h2)):
            return .constant(min(l1, l2), max(h1, h2))
        default:
            return .unknown
        }
    }

    private func join(_ a: [AbstractValue], _ b: [AbstractValue]) -> [AbstractValue] {
        zip(a, b).map { join($0, $1) }
    }

    private func bounded(_ v: AbstractValue) -> AbstractValue {
        switch v {
        case .offset(_, let lo, let hi), .constant(let lo, let hi):
            return lo >= -Self.limit && hi <= Self.limit && lo <= hi ? v : .unknown
        case .unknown:
            return .unknown
        }
    }

    private func constant(_ lo: Int64, _ hi: Int64) -> AbstractValue { bounded(.constant(lo, hi)) }

    /// What executing `s` does to the registers.
    private func transfer(_ s: Slot, _ r: inout [AbstractValue]) {
        let dst = Int(s.dst)
        let imm = Int64(bitPattern: s.imm)
        let u32 = AbstractValue.constant(0, Int64(UInt32.max))
        func shifted(_ v: AbstractValue, by k: Int64) -> AbstractValue {
            switch v {
            case .offset(let sym, let lo, let hi): return bounded(.offset(sym, lo &+ k, hi &+ k))
            case .constant(let lo, let hi): return constant(lo &+ k, hi &+ k)
            case .unknown: return .unknown
            }
        }
        switch s.op {
        case .mov64K: r[dst] = imm >= 0 ? constant(imm, imm) : .unknown
        case .mov64X: r[dst] = r[Int(s.src)]
        case .add64K: r[dst] = imm >= 0 ? shifted(r[dst], by: imm) : shifted(r[dst], by: imm)
        case .sub64K: r[dst] = shifted(r[dst], by: -imm)
        case .add64X:
            switch (r[dst], r[Int(s.src)]) {
            case (.offset(let sym, let lo, let hi), .constant(let a, let b)), (.constant(let a, let b), .offset(let sym, let lo, let hi)):
                r[dst] = bounded(.offset(sym, lo &+ a, hi &+ b))
            case (.constant(let l1, let h1), .constant(let l2, let h2)):
                r[dst] = constant(l1 &+ l2, h1 &+ h2)
            default:
                r[dst] = .unknown
            }
        case .lsh64K:
            if case .constant(let lo, let hi) = r[dst], lo >= 0, imm < 32, hi < (1 << 31) {
                r[dst] = constant(lo << imm, hi << imm)
            } else {
                r[dst] = .unknown
            }
        case .rsh64K:
            let k = imm & 63
            if case .constant(let lo, let hi) = r[dst], lo >= 0 {
                r[dst] = constant(lo >> k, hi >> k)
            } else {
                r[dst] = k >= 33 ? constant(0, Int64(UInt64.max >> UInt64(k))) : .unknown
            }
        case .and64K:
            r[dst] = imm >= 0 ? constant(0, imm) : .unknown
        case .and32K:
            r[dst] = constant(0, Int64(UInt32(truncatingIfNeeded: imm)))
        case .mov32K:
            let v = Int64(UInt32(truncatingIfNeeded: imm))
            r[dst] = constant(v, v)
        case .ldxb: r[dst] = constant(0, 255)
        case .ldxh, .le16, .be16, .swap16: r[dst] = constant(0, 65535)
        case .ldxw: r[dst] = u32
        case .mod64K where imm > 0: r[dst] = constant(0, imm - 1)
        default:
            for w in writtenRegisters(s) { r[Int(w)] = writtenRegisters32(s) ? u32 : .unknown }
        }
    }

    /// Whether `s` writes a 32-bit result (zero-extended) to its destination.
    private func writtenRegisters32(_ s: Slot) -> Bool {
        switch s.op {
        case .add32K, .add32X, .sub32K, .sub32X, .mul32K, .mul32X, .div32K, .div32X, .or32K, .or32X, .and32X,
            .lsh32K, .lsh32X, .rsh32K, .rsh32X, .mod32K, .mod32X, .xor32K, .xor32X, .mov32X, .arsh32K, .arsh32X,
            .sdiv32K, .sdiv32X, .smod32K, .smod32X, .neg32, .movsx8to32, .movsx16to32, .le32, .be32, .swap32:
            true
        default: false
        }
    }
}

extension LoopAnalysis {
    /// The registers `s` writes.
    func writtenRegisters(_ s: Slot) -> [UInt8] {
        switch s.op {
        case .stb, .sth, .stw, .stdw, .stxb, .stxh, .stxw, .stxdw, .atomic32Add, .atomic32Or, .atomic32And,
            .atomic32Xor, .atomic64Add, .atomic64Or, .atomic64And, .atomic64Xor, .exit, .unboundCall, .callLocal:
            return []
        case .atomic32FetchAdd, .atomic32FetchOr, .atomic32FetchAnd, .atomic32FetchXor, .atomic32Xchg,
            .atomic64FetchAdd, .atomic64FetchOr, .atomic64FetchAnd, .atomic64FetchXor, .atomic64Xchg:
            return [s.src]
        case .atomic32Cmpxchg, .atomic64Cmpxchg, .callHelper, .callx:
            return [0]
        default:
            return s.op.isJump ? [] : [s.dst]
        }
    }

    /// The base register of a memory access whose check the guard may take over (r10 accesses inside the frame
    /// have no check at all).
    func memoryBase(_ s: Slot) -> UInt8? { Self.memoryBase(s) }

    /// The base register of a load, store or atomic.
    static func memoryBase(_ s: Slot) -> UInt8? {
        switch s.op {
        case .ldxb, .ldxh, .ldxw, .ldxdw, .ldxsb, .ldxsh, .ldxsw: return s.src
        case .stb, .sth, .stw, .stdw, .stxb, .stxh, .stxw, .stxdw, .atomic32Add, .atomic32Or, .atomic32And,
            .atomic32Xor, .atomic32FetchAdd, .atomic32FetchOr, .atomic32FetchAnd, .atomic32FetchXor, .atomic32Xchg,
            .atomic32Cmpxchg, .atomic64Add, .atomic64Or, .atomic64And, .atomic64Xor, .atomic64FetchAdd,
            .atomic64FetchOr, .atomic64FetchAnd, .atomic64FetchXor, .atomic64Xchg, .atomic64Cmpxchg:
            return s.dst
        default: return nil
        }
    }
}
