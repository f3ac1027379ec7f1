/// Cancels a pending timeout by its user data (`IORING_OP_TIMEOUT_REMOVE`).
public struct TimeoutRemove: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .timeoutRemove }
    /// The timeout's `userData`.
    public var target: UInt64
    /// Removes the timeout submitted with `userData == target`.
    @inlinable
    public init(target: UInt64) {
        self.target = target
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = -1
        entry.addr = target
        return entry
    }
}
