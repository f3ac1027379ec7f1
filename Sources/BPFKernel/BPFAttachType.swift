/// An attach type (`enum bpf_attach_type`), used as a program's `expected_attach_type` and in `BPF_LINK_CREATE`.
public struct BPFAttachType: RawRepresentable, Hashable, Sendable {
    /// The kernel's attach type number.
    public var rawValue: UInt32
    /// Wraps a kernel attach type number.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// No particular attach type (0, `BPF_CGROUP_INET_INGRESS` numerically); the default for most program types.
    public static let none = BPFAttachType(rawValue: 0)
    /// `BPF_STRUCT_OPS`: the attach type of a struct_ops link.
    public static let structOps = BPFAttachType(rawValue: 44)

    /// The `expected_attach_type` of a struct_ops program: the index of the member it implements in the kernel
    /// struct (`loop_step` of `io_uring_bpf_ops` is member 0).
    public static func structOpsMember(_ index: Int) -> BPFAttachType { BPFAttachType(rawValue: UInt32(index)) }
}
