/// One completion, laid out exactly like the kernel's 16-byte `struct io_uring_cqe`.
@frozen
public struct CompletionQueueEntry: Hashable, Sendable {
    /// The `userData` of the SQE this completes.
    public var userData: UInt64
    /// The result: a count or value on success, `-errno` on failure.
    public var result: Int32
    /// `IORING_CQE_F_*` flags and, with ``CompletionFlags/buffer``, the buffer id in the upper 16 bits.
    public var rawFlags: UInt32

    /// Creates a completion (mostly for tests and emulation).
    @inlinable
    public init(userData: UInt64, result: Int32, rawFlags: UInt32) {
        self.userData = userData
        self.result = result
        self.rawFlags = rawFlags
    }

    /// The flags as an option set (low 16 bits).
    @inlinable
    public var flags: CompletionFlags { CompletionFlags(rawValue: rawFlags & 0xFFFF) }

    /// The selected buffer's id, when ``CompletionFlags/buffer`` is set.
    @inlinable
    public var bufferID: UInt16? { flags.contains(.buffer) ? UInt16(truncatingIfNeeded: rawFlags >> 16) : nil }

    /// Whether more completions will follow for the same SQE (multishot).
    @inlinable
    public var hasMore: Bool { flags.contains(.more) }

    /// The result as an errno when it is one (-4095 to -1, the kernel's error values); nil otherwise. (A CQE a loop
    /// program wrote itself may hold any value, `Int32.min` included.)
    @inlinable
    public var error: Errno? { result < 0 && result >= -4095 ? Errno(rawValue: -result) : nil }
}

import SystemPackage

/// Completion flags (`IORING_CQE_F_*`).
public struct CompletionFlags: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public var rawValue: UInt32
    /// The set with these raw bits.
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The upper 16 bits of the flags hold a selected buffer id.
    public static let buffer = CompletionFlags(rawValue: 1 << 0)
    /// The SQE stays armed: more CQEs will follow (multishot).
    public static let more = CompletionFlags(rawValue: 1 << 1)
    /// The socket had more data after this receive.
    public static let socketNonEmpty = CompletionFlags(rawValue: 1 << 2)
    /// A zero-copy send notification.
    public static let notification = CompletionFlags(rawValue: 1 << 3)
    /// The buffer is only partly consumed (incremental buffer rings).
    public static let bufferMore = CompletionFlags(rawValue: 1 << 4)
    /// A 16-byte padding CQE (CQE_MIXED rings).
    public static let skip = CompletionFlags(rawValue: 1 << 5)
    /// A 32-byte CQE (CQE_MIXED rings).
    public static let cqe32 = CompletionFlags(rawValue: 1 << 15)
}
