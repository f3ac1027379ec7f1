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
        return CountedLoop(
            counter: counter, step: step, bound: bound, strict: strict, length: b + 1 - h, folded: folded)
    }
}
