import SystemPackage

/// Posts a CQE to another ring, or passes it a registered file (`IORING_OP_MSG_RING`).
public struct MsgRing: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .msgRing }
    /// The target ring's fd (or its registered file slot).
    public var ring: FileTarget
    /// What to send.
    public var message: Message
    /// Post no CQE on the sending ring's side for a successful fd pass (`IORING_MSG_RING_CQE_SKIP`).
    public var skipSourceCompletion: Bool

    /// The message kinds.
    public enum Message: Hashable, Sendable {
        /// A CQE on the target ring with this `result` and `userData` (`IORING_MSG_DATA`).
        case data(result: Int32, userData: UInt64)
        /// Our registered file `sourceSlot` installed in the target's slot `targetSlot`, announced with a CQE
        /// carrying `userData` (`IORING_MSG_SEND_FD`).
        case file(sourceSlot: UInt32, targetSlot: DescriptorDestination, userData: UInt64)
    }
    /// Sends `message` to `ring`.
    @inlinable
    public init(ring: FileTarget, message: Message, skipSourceCompletion: Bool = false) {
        self.ring = ring
        self.message = message
        self.skipSourceCompletion = skipSourceCompletion
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        ring.apply(to: &entry)
        switch message {
        case .data(let result, let userData):
            entry.addr = 0
            entry.len = UInt32(bitPattern: result)
            entry.off = userData
        case .file(let sourceSlot, let targetSlot, let userData):
            entry.addr = 1
            entry.addr3 = UInt64(sourceSlot)
            entry.spliceFDIn = targetSlot.fileIndex
            entry.off = userData
        }
        entry.opFlags = skipSourceCompletion ? 1 : 0
        return entry
    }
}
