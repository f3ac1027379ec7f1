/// Takes buffers back from a classic provided-buffer group (`IORING_OP_REMOVE_BUFFERS`).
public struct RemoveBuffers: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .removeBuffers }
    /// How many buffers to remove.
    public var count: Int32
    /// The group.
    public var group: UInt16
    /// Removes up to `count` buffers from `group`.
    @inlinable
    public init(count: Int32, group: UInt16) {
        self.count = count
        self.group = group
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = count
        entry.bufIndex = group
        return entry
    }
}
