import BPF

/// Straight runs of loads and stores through one base register (filling a struct field by field, reading a
/// CQE): one check of the whole span they touch can stand for all of theirs.
///
/// A group's slots are `first...last`: nothing jumps into them but to `first`, none of them jumps, calls or
/// returns, and none writes the base register (but `last`, after its access). So the base holds one value
/// for every member, and if `[base + low, base + high)` lies in one region that allows every member's kind
/// (or in the stack window), every member's access is allowed; nothing else in the run can stop it. When the
/// span is not covered, the members run with their own checks and stop where the interpreter stops
/// (`JITCompiler+AccessGroups`).
struct AccessGroup {
    var first: Int
    var last: Int
    var base: UInt8
    /// The span relative to the base: from the lowest offset to the end of the highest access.
    var low: Int32
    var high: Int32
    /// `.load` or `.store` if all members are of that kind, `.atomic` (read and write) if they mix.
    var kind: AccessKind
    var members: Set<Int>
}

enum AccessGroups {
    /// The groups of two or more accesses, outside `excluded` (guarded loops, constant-address sites).
    static func find(_ slots: [Slot], functionEntries: Set<Int>, excluded: (Int) -> Bool) -> [AccessGroup] {
        var entered = Set(functionEntries)
        for (i, s) in slots.enumerated() {
            if s.op.isJump { entered.insert(Int(s.off)) }
            if s.op == .callLocal { entered.formUnion([i + 1, Int(s.off)]) }
        }
        let analysis = LoopAnalysis(slots: slots, functionEntries: functionEntries)
        var groups: [AccessGroup] = []
        var open: AccessGroup?
        func close() {
            if let g = open, g.members.count >= 2 { groups.append(g) }
            open = nil
        }
        var i = 0
        while i < slots.count {
            let s = slots[i]
            if entered.contains(i) { close() }
            let (size, kind) = JITCompiler.accessShape(s.op)
            if let base = LoopAnalysis.memoryBase(s), kind != .atomic, base != 10, !excluded(i) {
                let low = Int64(s.off), high = Int64(s.off) + Int64(size)
                if var g = open, g.base == base {
                    g.low = min(g.low, Int32(low))
                    g.high = max(g.high, Int32(high))
                    if g.kind != kind { g.kind = .atomic }
                    g.last = i
                    g.members.insert(i)
                    open = g
                } else {
                    close()
                    open = AccessGroup(
                        first: i, last: i, base: base, low: Int32(low), high: Int32(high), kind: kind, members: [i])
                }
                if analysis.writtenRegisters(s).contains(base) { close() }  // a load into its own base ends it
            } else if let g = open, s.op.isJump || !s.op.fallsThrough || s.op == .callHelper || s.op == .callx
                || s.op == .lddw || LoopAnalysis.memoryBase(s) != nil || analysis.writtenRegisters(s).contains(g.base)
            {
                close()
            }
            i += s.op == .lddw ? 2 : 1
        }
        close()
        return groups
    }
}
