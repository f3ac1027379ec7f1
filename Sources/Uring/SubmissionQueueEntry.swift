/// One submission queue entry, laid out exactly like the kernel's 64-byte `struct io_uring_sqe`.
///
/// It is plain data: build one with an opcode type (``Nop``, ``Read``, …), copy it around, keep shadow
/// arrays of them, and copy them onto the ring with ``IoUring/push(_:)`` or ``IoUring/push(contentsOf:)``.
/// Union members of the C struct appear once under their most common name; the opcode types document
/// which field carries what.
@frozen
public struct SubmissionQueueEntry: Hashable, Sendable {
    /// `IORING_OP_*`.
    public var opcode: UInt8
    /// `IOSQE_*` (see ``SubmissionFlags``).
    public var flags: UInt8
    /// I/O priority, or per-opcode flags (send/recv/accept).
    public var ioprio: UInt16
    /// The file descriptor or fixed-file index.
    public var fd: Int32
    /// File offset; `addr2` for some opcodes.
    public var off: UInt64
    /// Buffer or argument address; `splice_off_in` for splice.
    public var addr: UInt64
    /// Length or count.
    public var len: UInt32
    /// The per-opcode flags word (`rw_flags`, `timeout_flags`, `msg_flags`, …).
    public var opFlags: UInt32
    /// Passed back unchanged in the completion.
    public var userData: UInt64
    /// Fixed buffer index or buffer group.
    public var bufIndex: UInt16
    /// Registered personality.
    public var personality: UInt16
    /// `splice_fd_in`, `file_index` (slot + 1) or `optlen`.
    public var spliceFDIn: Int32
    /// Third address.
    public var addr3: UInt64
    /// Reserved; must be zero for most opcodes.
    public var pad: UInt64

    /// An all-zero entry with `opcode`.
    @inlinable
    public init(opcode: Opcode) {
        self.opcode = opcode.rawValue
        flags = 0; ioprio = 0; fd = 0; off = 0; addr = 0; len = 0; opFlags = 0; userData = 0
        bufIndex = 0; personality = 0; spliceFDIn = 0; addr3 = 0; pad = 0
    }

    /// The entry with `userData` set.
    @inlinable
    public func withUserData(_ value: UInt64) -> SubmissionQueueEntry {
        var copy = self
        copy.userData = value
        return copy
    }

    /// The entry with `flags` added (link, drain, async, …).
    @inlinable
    public func withFlags(_ value: SubmissionFlags) -> SubmissionQueueEntry {
        var copy = self
        copy.flags |= value.rawValue
        return copy
    }

    /// The entry run with a registered personality.
    @inlinable
    public func withPersonality(_ value: UInt16) -> SubmissionQueueEntry {
        var copy = self
        copy.personality = value
        return copy
    }

    /// The submission flags as an option set.
    @inlinable
    public var submissionFlags: SubmissionFlags { SubmissionFlags(rawValue: flags) }
}

/// Per-SQE flags (`IOSQE_*`).
public struct SubmissionFlags: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public var rawValue: UInt8
    /// The set with these raw bits.
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `fd` is an index into the registered file table.
    public static let fixedFile = SubmissionFlags(rawValue: 1 << 0)
    /// Start only after all earlier requests have completed.
    public static let ioDrain = SubmissionFlags(rawValue: 1 << 1)
    /// The next SQE starts when this one succeeds; a failure cancels the rest of the chain.
    public static let ioLink = SubmissionFlags(rawValue: 1 << 2)
    /// Like ``ioLink`` but the chain continues even if this one fails.
    public static let ioHardlink = SubmissionFlags(rawValue: 1 << 3)
    /// Always issue asynchronously.
    public static let async = SubmissionFlags(rawValue: 1 << 4)
    /// Pick a buffer from the group in `bufIndex`.
    public static let bufferSelect = SubmissionFlags(rawValue: 1 << 5)
    /// Post no CQE when the request succeeds.
    public static let cqeSkipSuccess = SubmissionFlags(rawValue: 1 << 6)
}
