/// Cancels a poll request by its user data (`IORING_OP_POLL_REMOVE`).
public struct PollRemove: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .pollRemove }
    /// The poll's `userData`.
    public var target: UInt64
    /// Removes the poll submitted with `userData == target`.
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
