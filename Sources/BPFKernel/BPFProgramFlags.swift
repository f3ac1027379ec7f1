/// Program load flags (`prog_flags`).
public struct BPFProgramFlags: OptionSet, Hashable, Sendable {
    /// The raw `prog_flags` word.
    public var rawValue: UInt32
    /// Wraps a raw `prog_flags` word.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `BPF_F_STRICT_ALIGNMENT`.
    public static let strictAlignment = BPFProgramFlags(rawValue: 1 << 0)
    /// `BPF_F_ANY_ALIGNMENT`.
    public static let anyAlignment = BPFProgramFlags(rawValue: 1 << 1)
    /// `BPF_F_SLEEPABLE`: the program may sleep (needed to call `bpf_io_uring_submit_sqes`; `struct_ops.s/`).
    public static let sleepable = BPFProgramFlags(rawValue: 1 << 4)
    /// `BPF_F_XDP_HAS_FRAGS`.
    public static let xdpHasFragments = BPFProgramFlags(rawValue: 1 << 5)
}
