/// What both engines check before a run of a ``Program`` executes anything: that it starts at a function of the
/// program, and that the host resolved every pseudo `lddw`. Computed once per runner; the check of a run that
/// starts at instruction 0 of a runnable program is a single compare.
package struct RunEntry {
    /// Instruction indices where functions start (where a run may start).
    package let functionEntries: Set<Int>
    private let unresolved: Program.PseudoLoad?
    /// No pseudo `lddw` is unresolved, so a run from instruction 0 needs no `check` (what runners test first).
    package let mainIsRunnable: Bool

    package init(_ program: Program) {
        functionEntries = program.functionEntries
        unresolved = program.firstUnresolvedLoad
        mainIsRunnable = unresolved == nil
    }

    /// Throws what a run starting at `entry` fails with before it executes anything: `.badEntry` for an
    /// instruction that is not a function entry, then `.unresolvedPseudoLoad` for the first unresolved load.
    /// Runners call it unless `entry == 0 && mainIsRunnable`.
    package func check(_ entry: Int) throws(RuntimeError) {
        guard entry == 0 || functionEntries.contains(entry) else {
            throw RuntimeError(index: entry, reason: .badEntry)
        }
        if let unresolved {
            throw RuntimeError(
                index: unresolved.index, reason: .unresolvedPseudoLoad(kind: unresolved.kind, imm: unresolved.imm))
        }
    }
}
