/// Does nothing and completes with 0 (`IORING_OP_NOP`): the request used to measure ring overhead.
public struct Nop: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .nop }

    /// A no-op.
    @inlinable
    public init() {}

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry { SubmissionQueueEntry(opcode: Self.opcode) }
}
