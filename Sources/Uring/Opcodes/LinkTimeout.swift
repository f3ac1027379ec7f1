/// Bounds the request linked before it in time (`IORING_OP_LINK_TIMEOUT`): that request is cancelled (-ECANCELED) if the time passes first.
public struct LinkTimeout: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .linkTimeout }
    /// The time.
    public var timespec: UnsafePointer<KernelTimespec>?
    /// Clock and behaviour.
    public var flags: TimeoutFlags
    /// A link timeout of `*timespec`; push it right after an entry with ``SubmissionFlags/ioLink``.
    @inlinable
    public init(timespec: UnsafePointer<KernelTimespec>?, flags: TimeoutFlags = []) {
        self.timespec = timespec
        self.flags = flags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = -1
        entry.addr = address(timespec)
        entry.len = 1
        entry.opFlags = flags.rawValue
        return entry
    }
}
