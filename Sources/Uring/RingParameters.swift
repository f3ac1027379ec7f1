/// Offsets of the SQ fields inside the rings region, as `io_uring_setup(2)` returned them (`io_sqring_offsets`).
@frozen
public struct SubmissionQueueOffsets: Hashable, Sendable {
    /// Offset of the SQ head (the kernel advances it).
    public var head: UInt32
    /// Offset of the SQ tail (user space advances it).
    public var tail: UInt32
    /// Offset of the SQ ring mask.
    public var ringMask: UInt32
    /// Offset of the SQ entry count.
    public var ringEntries: UInt32
    /// Offset of the SQ flags word (`IORING_SQ_*`).
    public var flags: UInt32
    /// Offset of the dropped-SQE counter.
    public var dropped: UInt32
    /// The SQ index array; 0 with ``SetupFlags/noSQArray``.
    public var array: UInt32
    /// Reserved.
    public var reserved: UInt32
    /// Ring memory address for NO_MMAP rings.
    public var userAddress: UInt64

    /// All-zero offsets.
    @inlinable
    public init() {
        head = 0; tail = 0; ringMask = 0; ringEntries = 0; flags = 0; dropped = 0; array = 0; reserved = 0
        userAddress = 0
    }
}

/// Offsets of the CQ fields inside the rings region, as `io_uring_setup(2)` returned them (`io_cqring_offsets`).
@frozen
public struct CompletionQueueOffsets: Hashable, Sendable {
    /// Offset of the CQ head (user space advances it).
    public var head: UInt32
    /// Offset of the CQ tail (the kernel advances it).
    public var tail: UInt32
    /// Offset of the CQ ring mask.
    public var ringMask: UInt32
    /// Offset of the CQ entry count.
    public var ringEntries: UInt32
    /// Offset of the CQ overflow counter.
    public var overflow: UInt32
    /// Where the CQE array starts.
    public var cqes: UInt32
    /// Offset of the CQ flags word (`IORING_CQ_*`).
    public var flags: UInt32
    /// Reserved.
    public var reserved: UInt32
    /// Ring memory address for NO_MMAP rings.
    public var userAddress: UInt64

    /// All-zero offsets.
    @inlinable
    public init() {
        head = 0; tail = 0; ringMask = 0; ringEntries = 0; overflow = 0; cqes = 0; flags = 0; reserved = 0
        userAddress = 0
    }
}

/// `struct io_uring_params`: what `io_uring_setup(2)` is asked for and what it reports back (120 bytes).
@frozen
public struct RingParameters: Hashable, Sendable {
    // Field order and sizes are the kernel ABI.
    /// SQ entries (filled in by setup).
    public var sqEntries: UInt32 = 0
    /// CQ entries (input with CQSIZE; filled in by setup).
    public var cqEntries: UInt32 = 0
    /// `IORING_SETUP_*` bits.
    public var rawFlags: UInt32 = 0
    /// CPU of the SQPOLL thread (with SQ_AFF).
    public var sqThreadCPU: UInt32 = 0
    /// SQPOLL idle time in milliseconds.
    public var sqThreadIdle: UInt32 = 0
    /// `IORING_FEAT_*` bits (filled in by setup).
    public var rawFeatures: UInt32 = 0
    /// Ring to share the async backend with (ATTACH_WQ).
    public var wqFD: UInt32 = 0
    /// Reserved, zero.
    public var reserved: (UInt32, UInt32, UInt32) = (0, 0, 0)
    /// Where the SQ fields are in the rings region.
    public var sqOffsets = SubmissionQueueOffsets()
    /// Where the CQ fields are in the rings region.
    public var cqOffsets = CompletionQueueOffsets()

    /// Zeroed parameters.
    public init() {}

    /// The setup flags.
    public var flags: SetupFlags {
        get { SetupFlags(rawValue: rawFlags) }
        set { rawFlags = newValue.rawValue }
    }

    /// The kernel's feature bits (filled in by setup).
    public var features: Features { Features(rawValue: rawFeatures) }

    /// Byte-wise equality.
    public static func == (a: RingParameters, b: RingParameters) -> Bool {
        withUnsafeBytes(of: a) { x in withUnsafeBytes(of: b) { y in x.elementsEqual(y) } }
    }

    /// Byte-wise hash.
    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: self) { hasher.combine(bytes: $0) }
    }
}
