/// A program type (`enum bpf_prog_type`).
public struct BPFProgramType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The kernel's program type number.
    public var rawValue: UInt32
    /// Wraps a kernel program type number.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `BPF_PROG_TYPE_SOCKET_FILTER`.
    public static let socketFilter = BPFProgramType(rawValue: 1)
    /// `BPF_PROG_TYPE_KPROBE`.
    public static let kprobe = BPFProgramType(rawValue: 2)
    /// `BPF_PROG_TYPE_SCHED_CLS`.
    public static let schedCLS = BPFProgramType(rawValue: 3)
    /// `BPF_PROG_TYPE_TRACEPOINT`.
    public static let tracepoint = BPFProgramType(rawValue: 5)
    /// `BPF_PROG_TYPE_XDP`.
    public static let xdp = BPFProgramType(rawValue: 6)
    /// `BPF_PROG_TYPE_RAW_TRACEPOINT`.
    public static let rawTracepoint = BPFProgramType(rawValue: 17)
    /// `BPF_PROG_TYPE_TRACING`.
    public static let tracing = BPFProgramType(rawValue: 26)
    /// `BPF_PROG_TYPE_STRUCT_OPS` (io_uring_bpf_ops callbacks).
    public static let structOps = BPFProgramType(rawValue: 27)
    /// `BPF_PROG_TYPE_EXT`.
    public static let ext = BPFProgramType(rawValue: 28)
    /// `BPF_PROG_TYPE_LSM`.
    public static let lsm = BPFProgramType(rawValue: 29)
    /// `BPF_PROG_TYPE_SYSCALL`.
    public static let syscall = BPFProgramType(rawValue: 31)

    /// A short name such as `struct_ops`, or the number for types without one here.
    public var description: String {
        switch self {
        case .socketFilter: "socket_filter"
        case .kprobe: "kprobe"
        case .schedCLS: "sched_cls"
        case .tracepoint: "tracepoint"
        case .xdp: "xdp"
        case .rawTracepoint: "raw_tracepoint"
        case .tracing: "tracing"
        case .structOps: "struct_ops"
        case .ext: "ext"
        case .lsm: "lsm"
        case .syscall: "syscall"
        default: "program type \(rawValue)"
        }
    }
}
