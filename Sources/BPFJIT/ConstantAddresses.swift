import BPF

/// Memory instructions whose base register holds a value known when compiling: the address an `lddw` loaded
/// (a global's, `.bss + 8`), possibly moved by constant adds, on every path to the access.
///
/// Such an access still needs its check (a host may revoke any region, globals included, between runs or in
/// a host call, and the code outlives no region it was compiled against), but its address never changes: once
/// the access was allowed under the memory map's current generation, it is allowed until the generation moves,
/// so the check is one flag (`AccessSiteWindow.allowed`) instead of a range.
///
/// A forward pass in program order. Values flow only along straight lines: every slot another one can jump,
/// call or return to starts with nothing known, calls clear what they clobber, and any other write to a
/// register forgets it. (A slot after `ja` or `exit` that is not such a target is never executed.)
enum ConstantAddresses {
    /// For each memory instruction whose base register is known, that register's value.
    static func find(_ slots: [Slot], functionEntries: Set<Int>) -> [Int: UInt64] {
        var entered = Set(functionEntries)
        for (i, s) in slots.enumerated() {
            if s.op.isJump { entered.insert(Int(s.off)) }
            if s.op == .callLocal { entered.formUnion([i + 1, Int(s.off)]) }
        }
        let analysis = LoopAnalysis(slots: slots, functionEntries: functionEntries)
        var known: [UInt8: UInt64] = [:]
        var bases: [Int: UInt64] = [:]
        var i = 0
        while i < slots.count {
            let s = slots[i]
            if entered.contains(i) { known = [:] }
            if let base = LoopAnalysis.memoryBase(s), let value = known[base] { bases[i] = value }
            switch s.op {
            case .lddw:
                known[s.dst] = s.imm
            case .add64K where known[s.dst] != nil:
                known[s.dst]! &+= s.imm
            case .callHelper, .callx:
                for r: UInt8 in 0...5 { known[r] = nil }
            case .callLocal:
                known = [:]
            default:
                for r in analysis.writtenRegisters(s) { known[r] = nil }
            }
            i += s.op == .lddw ? 2 : 1
        }
        return bases
    }
}
