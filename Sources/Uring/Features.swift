/// What the running kernel's io_uring can do, reported by `io_uring_setup(2)` (`IORING_FEAT_*`).
public struct Features: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The raw bits.
    public var rawValue: UInt32
    /// The set with these raw bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// SQ and CQ rings share one mapping.
    public static let singleMmap = Features(rawValue: 1 << 0)
    /// Completions are never dropped when the CQ is full; they wait in an overflow list.
    public static let noDrop = Features(rawValue: 1 << 1)
    /// Submission data is stable once submitted.
    public static let submitStable = Features(rawValue: 1 << 2)
    /// Offset -1 means "current file position".
    public static let rwCurrentPosition = Features(rawValue: 1 << 3)
    /// Requests run with the submitter's credentials.
    public static let currentPersonality = Features(rawValue: 1 << 4)
    /// Internal polling instead of blocking workers.
    public static let fastPoll = Features(rawValue: 1 << 5)
    /// 32-bit poll event masks.
    public static let poll32Bits = Features(rawValue: 1 << 6)
    /// SQPOLL works with non-registered files.
    public static let sqPollNonFixed = Features(rawValue: 1 << 7)
    /// `io_uring_enter` accepts an extended argument (timeouts).
    public static let extArg = Features(rawValue: 1 << 8)
    /// Async workers are native threads.
    public static let nativeWorkers = Features(rawValue: 1 << 9)
    /// Registered resources can carry tags.
    public static let resourceTags = Features(rawValue: 1 << 10)
    /// `CQE_SKIP_SUCCESS` is supported.
    public static let cqeSkip = Features(rawValue: 1 << 11)
    /// Linked requests resolve their files at issue time.
    public static let linkedFile = Features(rawValue: 1 << 12)
    /// Registered ring fds work with `io_uring_register`.
    public static let registeredRegisterRing = Features(rawValue: 1 << 13)
    /// Send/recv bundles.
    public static let recvSendBundle = Features(rawValue: 1 << 14)
    /// Minimum-wait timeouts.
    public static let minTimeout = Features(rawValue: 1 << 15)
    /// Read/write attributes.
    public static let rwAttributes = Features(rawValue: 1 << 16)
    /// Waiting need not count as iowait.
    public static let noIOWait = Features(rawValue: 1 << 17)

    /// Every feature with its kernel name, in bit order.
    public static let allNamed: [(feature: Features, kernelName: String)] = [
        (.singleMmap, "SINGLE_MMAP"), (.noDrop, "NODROP"), (.submitStable, "SUBMIT_STABLE"),
        (.rwCurrentPosition, "RW_CUR_POS"), (.currentPersonality, "CUR_PERSONALITY"), (.fastPoll, "FAST_POLL"),
        (.poll32Bits, "POLL_32BITS"), (.sqPollNonFixed, "SQPOLL_NONFIXED"), (.extArg, "EXT_ARG"),
        (.nativeWorkers, "NATIVE_WORKERS"), (.resourceTags, "RSRC_TAGS"), (.cqeSkip, "CQE_SKIP"),
        (.linkedFile, "LINKED_FILE"), (.registeredRegisterRing, "REG_REG_RING"),
        (.recvSendBundle, "RECVSEND_BUNDLE"), (.minTimeout, "MIN_TIMEOUT"), (.rwAttributes, "RW_ATTR"),
        (.noIOWait, "NO_IOWAIT"),
    ]

    /// Kernel names of the features present, plus `1<<n` for bits this library does not know yet.
    public var kernelNames: [String] {
        let known = Self.allNamed.reduce(Features()) { $0.union($1.feature) }
        let unknown = rawValue & ~known.rawValue
        return Self.allNamed.filter { contains($0.feature) }.map(\.kernelName)
            + (0..<32).filter { unknown & (1 << $0) != 0 }.map { "1<<\($0)" }
    }

    /// `[SINGLE_MMAP, NODROP, …]`.
    public var description: String { "[" + kernelNames.joined(separator: ", ") + "]" }
}
