/// What ties a scalar register to copies of the same unknown value (the kernel's scalar `reg->id`, its
/// `BPF_ADD_CONST32`/`BPF_ADD_CONST64` flags and `reg->off`).
///
/// `r2 = r1` gives both registers one id; `r2 += 4` then keeps the link with a delta, so a later `if r1 < 10`
/// also bounds r2 to `[4, 13]` (`sync_linked_regs`). Compilers emit this for `a[i + 1]` guarded by a check on `i`.
struct ScalarLink: Hashable, Sendable {
    /// The width of the ALU operation that added the delta (`BPF_ADD_CONST32` or `BPF_ADD_CONST64`).
    enum DeltaWidth: Hashable, Sendable {
        case bits32, bits64
    }

    /// The id shared by linked registers; 0 links nothing.
    var id: Int
    /// This register's value minus the value of a linked register without a delta.
    var delta: Int32 = 0
    /// Set once a constant was added (at most once: a second `+= const` unlinks).
    var deltaWidth: DeltaWidth? = nil

    static let unlinked = ScalarLink(id: 0)

    var isLinked: Bool { id != 0 }
}
