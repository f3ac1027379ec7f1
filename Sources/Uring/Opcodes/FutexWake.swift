/// Wakes futex waiters (`IORING_OP_FUTEX_WAKE`); the result is how many were woken.
public struct FutexWake: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .futexWake }
    /// The futex word.
    public var futex: UnsafeMutableRawPointer?
    /// Wake at most this many.
    public var count: UInt64
    /// Bitset to match.
    public var mask: UInt64
    /// `FUTEX2_*` flags; `FUTEX2_SIZE_U32 | FUTEX2_PRIVATE` = 0x82 by default.
    public var futexFlags: UInt32
    /// Wakes up to `count` waiters on `futex`.
    @inlinable
    public init(futex: UnsafeMutableRawPointer?, count: UInt64, mask: UInt64 = 0xFFFF_FFFF,
                futexFlags: UInt32 = 0x82) {
        self.futex = futex
        self.count = count
        self.mask = mask
        self.futexFlags = futexFlags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = Int32(bitPattern: futexFlags)
        entry.addr = address(futex)
        entry.off = count
        entry.addr3 = mask
        return entry
    }
}
