/// Changes a pending timeout's time (`IORING_OP_TIMEOUT_REMOVE` with `IORING_TIMEOUT_UPDATE`).
public struct TimeoutUpdate: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .timeoutRemove }
    /// The timeout's `userData`.
    public var target: UInt64
    /// The new time.
    public var timespec: UnsafePointer<KernelTimespec>?
    /// Clock and behaviour.
    public var flags: TimeoutFlags
    /// Update a link timeout instead (`IORING_LINK_TIMEOUT_UPDATE`).
    public var linkTimeout: Bool
    /// Re-arms the timeout with `userData == target` to `*timespec`.
    @inlinable
    public init(target: UInt64, timespec: UnsafePointer<KernelTimespec>?, flags: TimeoutFlags = [],
                linkTimeout: Bool = false) {
        self.target = target
        self.timespec = timespec
        self.flags = flags
        self.linkTimeout = linkTimeout
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = -1
        entry.addr = target
        entry.off = address(timespec)
        entry.opFlags = flags.rawValue | (linkTimeout ? 1 << 4 : 1 << 1)
        return entry
    }
}
