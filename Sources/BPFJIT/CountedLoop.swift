import BPF

/// A guarded loop whose iterations all run the same straight line and whose back edge compares a counter that
/// steps by a power of two with a bound the loop never writes (`for (p = start; p < end; p += step)`): how many
/// iterations remain follows from the counter alone, so the JIT can run as many as the fuel pays for without
/// charging or checking the fuel at each back edge, unrolled (`JITCompiler+CountedLoops`).
///
/// Such a body can never stop the run: every access in it is covered by the guard or is inside the frame, and
/// it has no atomics (their alignment fault), calls or jumps. So nothing observes the counter or the fuel
/// between batch boundaries, where both are exactly the interpreter's.
struct CountedLoop {
    /// The register the back edge compares, its step per iteration, and the loop-invariant register it is
    /// compared with: the loop goes round again while `counter < bound` (`strict`) or `counter <= bound`.
    var counter: UInt8
    var step: Int32
    var bound: UInt8
    var strict: Bool
    /// Slots per iteration, which is what each iteration charges to the fuel.
    var length: Int
    /// Registers written only by one `add` of this constant and otherwise read only as the base of an access
    /// (or, for the counter, by the back edge): in an unrolled batch their adds become access offsets, and one
    /// add per batch.
    var folded: [UInt8: Int32]
    /// A register the body only adds registers to (`acc += x`, 64-bit): an unrolled block sums its addends in
    /// the scratch register and adds that once, so iterations do not wait for each other's sum. (Nothing reads
    /// the register inside a batch, and integer addition is associative.)
    var accumulator: UInt8?
}

extension LoopAnalysis {
    /// The `CountedLoop` view of `loop`, if it has that shape.
    func countedLoop(_ loop: GuardedLoop) -> CountedLoop? {
        let h = loop.header, b = loop.backEdge
        let s = slots[b]
        let (counter, bound, strict): (UInt8, UInt8, Bool)
        switch s.op {
        case .jltX: (counter, bound, strict) = (s.dst, s.src, true)
        case .jleX: (counter, bound, strict) = (s.dst, s.src, false)
        case .jgtX: (counter, bound, strict) = (s.src, s.dst, true)
        case .jgeX: (counter, bound, strict) = (s.src, s.dst, false)
        default: return nil
        }
        // The guard bounds the counter's whole walk (and that it does not wrap): it is one of its inductions.
        guard counter != bound, loop.inductions.contains(where: { $0.register == counter }),
            let step = exactStep(of: counter, header: h, backEdge: b)
        else { return nil }
        let hoisted = Set(loop.accesses.map(\.index))
        var body: [Int] = []
        var i = h
        while i < b {
            body.append(i)
            i += slots[i].op == .lddw ? 2 : 1
        }
        var writes: [UInt8: [Int]] = [:]
        for i in body {
            let slot = slots[i]
            if slot.op.isJump { return nil }
            if let base = memoryBase(slot) {
                let (size, kind) = JITCompiler.accessShape(slot.op)
                if kind == .atomic { return nil }
                let frame = -Interpreter.frameStackSize...(-size)
                guard hoisted.contains(i) || (base == 10 && frame.contains(Int(slot.off))) else { return nil }
            }
            for r in writtenRegisters(slot) { writes[r, default: []].append(i) }
        }
        guard writes[bound] == nil, b + 1 - h < 1 << 15 else { return nil }
        var folded: [UInt8: Int32] = [:]
        for (r, at) in writes where r != 10 && at.count == 1 && slots[at[0]].op == .add64K {
            let add = at[0]
            let onlyAddressed = body.allSatisfy { j in
                let t = slots[j]
                guard j != add, t.dst == r || t.src == r else { return true }
                switch t.op {
                case .ldxb, .ldxh, .ldxw, .ldxdw, .ldxsb, .ldxsh, .ldxsw: return t.src == r && t.dst != r
                case .stb, .sth, .stw, .stdw: return t.dst == r
                case .stxb, .stxh, .stxw, .stxdw: return t.dst == r && t.src != r
                default: return false
                }
            }
            // Small steps only, so that offsets plus a block of steps stay far inside 32 bits.
            let d = Int64(bitPattern: slots[add].imm)
            if onlyAddressed, d.magnitude < 1 << 24 { folded[r] = Int32(d) }
        }
        // The partial sum lives in the scratch register, which shifts by a register and divisions use.
        let usesScratch = body.contains { j in
            switch slots[j].op {
            case .lsh64X, .lsh32X, .rsh64X, .rsh32X, .arsh64X, .arsh32X, .div64K, .div64X, .div32K, .div32X,
                .mod64K, .mod64X, .mod32K, .mod32X, .sdiv64K, .sdiv64X, .sdiv32K, .sdiv32X, .smod64K, .smod64X,
                .smod32K, .smod32X:
                true
            default: false
            }
        }
        let accumulator = usesScratch ? nil : writes.keys.sorted().first { r in
            r != 10 && r != counter && body.allSatisfy { j in
                let t = slots[j]
                if t.op == .add64X && t.dst == r { return t.src != r }
                return t.dst != r && (t.src != r || Self.ignoresSource(t.op))
            }
        }
        return CountedLoop(
            counter: counter, step: step, bound: bound, strict: strict, length: b + 1 - h, folded: folded,
            accumulator: accumulator)
    }

    /// Operations that never read their `src` field (immediate forms, byte swaps, `lddw`); the list need not be
    /// complete, as a missing one only keeps a register from being an accumulator.
    static func ignoresSource(_ op: Op) -> Bool {
        switch op {
        case .add64K, .add32K, .sub64K, .sub32K, .mul64K, .mul32K, .div64K, .div32K, .or64K, .or32K, .and64K,
            .and32K, .lsh64K, .lsh32K, .rsh64K, .rsh32K, .mod64K, .mod32K, .xor64K, .xor32K, .mov64K, .mov32K,
            .arsh64K, .arsh32K, .sdiv64K, .sdiv32K, .smod64K, .smod32K, .neg64, .neg32, .le16, .le32, .le64, .be16,
            .be32, .be64, .swap16, .swap32, .swap64, .stb, .sth, .stw, .stdw, .lddw:
            true
        default:
            false
        }
    }
}
