import SystemPackage

/// Waits for readiness on a descriptor (`IORING_OP_POLL_ADD`); the result is the ready mask.
public struct PollAdd: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .pollAdd }
    /// The file.
    public var file: FileTarget
    /// `POLLIN`, `POLLOUT` …
    public var events: UInt32
    /// Stay armed and post a CQE (with ``CompletionFlags/more``) every time (`IORING_POLL_ADD_MULTI`).
    public var multishot: Bool
    /// Polls `file` for `events`.
    @inlinable
    public init(file: FileTarget, events: UInt32, multishot: Bool = false) {
        self.file = file
        self.events = events
        self.multishot = multishot
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        file.apply(to: &entry)
        entry.opFlags = events
        entry.len = multishot ? 1 : 0
        return entry
    }
}
