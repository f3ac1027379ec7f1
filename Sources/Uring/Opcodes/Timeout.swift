/// Completes after a time or after `count` other completions (`IORING_OP_TIMEOUT`); -ETIME when the time passed.
public struct Timeout: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .timeout }
    /// The time; must stay valid until the request is issued.
    public var timespec: UnsafePointer<KernelTimespec>?
    /// Complete early after this many other completions (0: only the time counts).
    public var count: UInt64
    /// Clock and behaviour.
    public var flags: TimeoutFlags
    /// A timeout of `*timespec`.
    @inlinable
    public init(timespec: UnsafePointer<KernelTimespec>?, count: UInt64 = 0, flags: TimeoutFlags = []) {
        self.timespec = timespec
        self.count = count
        self.flags = flags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = -1
        entry.addr = address(timespec)
        entry.len = 1
        entry.off = count
        entry.opFlags = flags.rawValue
        return entry
    }
}
