/// Waits on a futex (`IORING_OP_FUTEX_WAIT`), like futex_wait(2); completes when woken.
public struct FutexWait: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .futexWait }
    /// The futex word.
    public var futex: UnsafeMutableRawPointer?
    /// Wait only while the word equals this.
    public var expected: UInt64
    /// Bitset for wakeups (`FUTEX_BITSET_MATCH_ANY` = 0xffffffff).
    public var mask: UInt64
    /// `FUTEX2_*` flags (size, private); `FUTEX2_SIZE_U32 | FUTEX2_PRIVATE` = 0x82 by default.
    public var futexFlags: UInt32
    /// Waits on `futex` while it holds `expected`.
    @inlinable
    public init(futex: UnsafeMutableRawPointer?, expected: UInt64, mask: UInt64 = 0xFFFF_FFFF,
                futexFlags: UInt32 = 0x82) {
        self.futex = futex
        self.expected = expected
        self.mask = mask
        self.futexFlags = futexFlags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = Int32(bitPattern: futexFlags)
        entry.addr = address(futex)
        entry.off = expected
        entry.addr3 = mask
        return entry
    }
}
