import SystemPackage

/// Flushes a file to storage (`IORING_OP_FSYNC`).
public struct Fsync: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .fsync }
    /// The file.
    public var file: FileTarget
    /// Only data (fdatasync) instead of data and metadata (`IORING_FSYNC_DATASYNC`).
    public var dataOnly: Bool
    /// fsync, or fdatasync with `dataOnly`.
    @inlinable
    public init(file: FileTarget, dataOnly: Bool = false) {
        self.file = file
        self.dataOnly = dataOnly
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        file.apply(to: &entry)
        entry.opFlags = dataOnly ? 1 : 0
        return entry
    }
}
