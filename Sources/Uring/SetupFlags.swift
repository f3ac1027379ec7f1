/// Flags for `io_uring_setup(2)` (`IORING_SETUP_*`).
public struct SetupFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The raw bits.
    public var rawValue: UInt32
    /// The set with these raw bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Busy-poll for completions (`IORING_SETUP_IOPOLL`).
    public static let ioPoll = SetupFlags(rawValue: 1 << 0)
    /// A kernel thread polls the SQ (`IORING_SETUP_SQPOLL`).
    public static let sqPoll = SetupFlags(rawValue: 1 << 1)
    /// The SQPOLL thread is pinned to `sqThreadCPU` (`IORING_SETUP_SQ_AFF`).
    public static let sqAffinity = SetupFlags(rawValue: 1 << 2)
    /// The CQ size comes from the parameters (`IORING_SETUP_CQSIZE`).
    public static let cqSize = SetupFlags(rawValue: 1 << 3)
    /// Clamp too-large sizes instead of failing (`IORING_SETUP_CLAMP`).
    public static let clamp = SetupFlags(rawValue: 1 << 4)
    /// Share the async backend of another ring (`IORING_SETUP_ATTACH_WQ`).
    public static let attachWQ = SetupFlags(rawValue: 1 << 5)
    /// Start disabled; enable with ``IoUring/enableRings()`` (`IORING_SETUP_R_DISABLED`).
    public static let ringsDisabled = SetupFlags(rawValue: 1 << 6)
    /// Keep submitting after an SQE fails to prepare (`IORING_SETUP_SUBMIT_ALL`).
    public static let submitAll = SetupFlags(rawValue: 1 << 7)
    /// Run task work only on kernel transitions (`IORING_SETUP_COOP_TASKRUN`).
    public static let coopTaskrun = SetupFlags(rawValue: 1 << 8)
    /// Signal pending task work in the SQ flags (`IORING_SETUP_TASKRUN_FLAG`).
    public static let taskrunFlag = SetupFlags(rawValue: 1 << 9)
    /// 128-byte SQEs (`IORING_SETUP_SQE128`).
    public static let sqe128 = SetupFlags(rawValue: 1 << 10)
    /// 32-byte CQEs (`IORING_SETUP_CQE32`).
    public static let cqe32 = SetupFlags(rawValue: 1 << 11)
    /// Only one task submits (`IORING_SETUP_SINGLE_ISSUER`).
    public static let singleIssuer = SetupFlags(rawValue: 1 << 12)
    /// Run task work only when waiting for events (`IORING_SETUP_DEFER_TASKRUN`); needs ``singleIssuer``.
    public static let deferTaskrun = SetupFlags(rawValue: 1 << 13)
    /// The application provides the ring memory (`IORING_SETUP_NO_MMAP`); not supported by ``IoUring``.
    public static let noMmap = SetupFlags(rawValue: 1 << 14)
    /// Return only a registered ring index (`IORING_SETUP_REGISTERED_FD_ONLY`); not supported by ``IoUring``.
    public static let registeredFDOnly = SetupFlags(rawValue: 1 << 15)
    /// No SQ index array: SQ slot i is SQE i (`IORING_SETUP_NO_SQARRAY`).
    public static let noSQArray = SetupFlags(rawValue: 1 << 16)
    /// Hybrid IO polling (`IORING_SETUP_HYBRID_IOPOLL`).
    public static let hybridIOPoll = SetupFlags(rawValue: 1 << 17)
    /// Mixed 16/32-byte CQEs (`IORING_SETUP_CQE_MIXED`).
    public static let cqeMixed = SetupFlags(rawValue: 1 << 18)
    /// Mixed 64/128-byte SQEs (`IORING_SETUP_SQE_MIXED`).
    public static let sqeMixed = SetupFlags(rawValue: 1 << 19)
    /// Every submission starts at SQE 0; SQ head and tail are unused (`IORING_SETUP_SQ_REWIND`, Linux 7.1+).
    /// Needs ``noSQArray``.
    public static let sqRewind = SetupFlags(rawValue: 1 << 20)

    /// Every flag with its Swift and kernel name, in bit order.
    public static let allNamed: [(flag: SetupFlags, swiftName: String, kernelName: String)] = [
        (.ioPoll, "ioPoll", "IOPOLL"), (.sqPoll, "sqPoll", "SQPOLL"), (.sqAffinity, "sqAffinity", "SQ_AFF"),
        (.cqSize, "cqSize", "CQSIZE"), (.clamp, "clamp", "CLAMP"), (.attachWQ, "attachWQ", "ATTACH_WQ"),
        (.ringsDisabled, "ringsDisabled", "R_DISABLED"), (.submitAll, "submitAll", "SUBMIT_ALL"),
        (.coopTaskrun, "coopTaskrun", "COOP_TASKRUN"), (.taskrunFlag, "taskrunFlag", "TASKRUN_FLAG"),
        (.sqe128, "sqe128", "SQE128"), (.cqe32, "cqe32", "CQE32"), (.singleIssuer, "singleIssuer", "SINGLE_ISSUER"),
        (.deferTaskrun, "deferTaskrun", "DEFER_TASKRUN"), (.noMmap, "noMmap", "NO_MMAP"),
        (.registeredFDOnly, "registeredFDOnly", "REGISTERED_FD_ONLY"), (.noSQArray, "noSQArray", "NO_SQARRAY"),
        (.hybridIOPoll, "hybridIOPoll", "HYBRID_IOPOLL"), (.cqeMixed, "cqeMixed", "CQE_MIXED"),
        (.sqeMixed, "sqeMixed", "SQE_MIXED"), (.sqRewind, "sqRewind", "SQ_REWIND"),
    ]

    /// The flags another flag needs to be accepted at all (e.g. SQ_REWIND needs NO_SQARRAY).
    public var prerequisites: SetupFlags {
        var needed: SetupFlags = []
        if contains(.sqRewind) { needed.insert(.noSQArray) }
        if contains(.deferTaskrun) { needed.insert(.singleIssuer) }
        if contains(.taskrunFlag) { needed.insert(.coopTaskrun) }
        if contains(.sqAffinity) { needed.insert(.sqPoll) }
        if contains(.hybridIOPoll) { needed.insert(.ioPoll) }
        return needed
    }

    /// Kernel names of the flags, e.g. `["NO_SQARRAY", "SQ_REWIND"]`.
    public var kernelNames: [String] {
        Self.allNamed.filter { contains($0.flag) }.map(\.kernelName) + unknownBitNames
    }

    /// `[.noSQArray, .sqRewind]`.
    public var description: String {
        let names = Self.allNamed.filter { contains($0.flag) }.map { "." + $0.swiftName } + unknownBitNames
        return "[" + names.joined(separator: ", ") + "]"
    }

    private var unknownBitNames: [String] {
        let known = Self.allNamed.reduce(SetupFlags()) { $0.union($1.flag) }
        let unknown = rawValue & ~known.rawValue
        return (0..<32).filter { unknown & (1 << $0) != 0 }.map { "1<<\($0)" }
    }
}
