import SystemPackage

/// Syncs part of a file (`IORING_OP_SYNC_FILE_RANGE`), like sync_file_range(2).
public struct SyncFileRange: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .syncFileRange }
    /// The file.
    public var file: FileTarget
    /// Start of the range.
    public var offset: UInt64
    /// Length of the range (0: to the end).
    public var length: UInt32
    /// `SYNC_FILE_RANGE_*` flags.
    public var flags: UInt32
    /// Syncs `length` bytes at `offset`.
    @inlinable
    public init(file: FileTarget, offset: UInt64, length: UInt32, flags: UInt32 = 0) {
        self.file = file
        self.offset = offset
        self.length = length
        self.flags = flags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        file.apply(to: &entry)
        entry.off = offset
        entry.len = length
        entry.opFlags = flags
        return entry
    }
}
