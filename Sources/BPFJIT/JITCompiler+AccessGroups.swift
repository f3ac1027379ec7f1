import BPF

/// Access groups (`AccessGroup`): the span's check, then a copy of the group's slots without the members'
/// checks; if the span is not in the group's window, Swift is asked (as for a loop guard: it refills the
/// window if one region or the stack covers the span), and if it is not covered, the slots run with their own
/// checks.
extension JITCompiler {
    /// Emits the group and returns the slot after it.
    mutating func emitAccessGroup(_ group: AccessGroup) -> Int {
        if loopHeads.contains(group.first) { asm.align(Self.loopAlignment) }
        asm.bind(labels[group.first])
        sites.append(AccessSite(
            index: group.first, size: Int(group.high - group.low), kind: group.kind, offset: group.low))
        let site = sites.count - 1
        let window = JITContext.siteWindowOffset(site)
        let base = reg(group.base)
        let miss = asm.makeLabel(), unchecked = asm.makeLabel(), checked = asm.makeLabel(), done = asm.makeLabel()
        asm.alu(.cmp, base, X86Memory(Self.context, window))
        asm.jcc(.below, miss)
        asm.alu(.cmp, base, X86Memory(Self.context, window + 8))
        asm.jcc(.above, miss)
        asm.bind(unchecked)
        let value = EntryBound(register: group.base, offset: 0)
        stubs.append(.guardMiss(
            entry: miss, resume: unchecked, fail: checked, site: site,
            access: HoistedAccess(index: group.first, low: value, high: value)))
        copy = .group(group)
        var i = group.first
        while i <= group.last { i = emitInstruction(at: i, label: asm.makeLabel()) }
        copy = nil
        asm.jmp(done)
        asm.bind(checked)
        i = group.first
        while i <= group.last { i = emitInstruction(at: i, label: i == group.first ? asm.makeLabel() : labels[i]) }
        asm.bind(done)
        return group.last + 1
    }
}
