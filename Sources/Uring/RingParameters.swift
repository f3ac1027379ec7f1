/// Offsets of the SQ fields inside the rings region, as `io_uring_setup(2)` returned them (`io_sqring_offsets`).
@frozen
public struct SubmissionQueueOffsets: Hashable, Sendable {
    public var head: UInt32
    public var tail: UInt32
    public var ringMask: UInt32
    public var ringEntries: UInt32
    public var flags: UInt32
    public var dropped: UInt32
    /// The SQ index array; 0 with ``SetupFlags/noSQArray``.
    public var array: UInt32
    public var reserved: UInt32
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
    public var head: UInt32
    public var tail: UInt32
    public var ringMask: UInt32
    public var ringEntries: UInt32
    public var overflow: UInt32
    /// Where the CQE array starts.
    public var cqes: UInt32
    public var flags: UInt32
    public var reserved: UInt32
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
    public var sqEntries: UInt32 = 0
    public var cqEntries: UInt32 = 0
    public var rawFlags: UInt32 = 0
    public var sqThreadCPU: UInt32 = 0
    public var sqThreadIdle: UInt32 = 0
    public var rawFeatures: UInt32 = 0
    public var wqFD: UInt32 = 0
    public var reserved: (UInt32, UInt32, UInt32) = (0, 0, 0)
    public var sqOffsets = SubmissionQueueOffsets()
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

    public static func == (a: RingParameters, b: RingParameters) -> Bool {
        withUnsafeBytes(of: a) { x in withUnsafeBytes(of: b) { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: self) { hasher.combine(bytes: $0) }
    }
}
