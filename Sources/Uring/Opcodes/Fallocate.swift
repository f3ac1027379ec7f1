import SystemPackage

/// Allocates or punches file space (`IORING_OP_FALLOCATE`), like fallocate(2).
public struct Fallocate: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .fallocate }
    /// The file.
    public var file: FileTarget
    /// `FALLOC_FL_*` mode.
    public var mode: Int32
    /// Start of the range.
    public var offset: UInt64
    /// Length of the range.
    public var length: UInt64
    /// Allocates `length` bytes at `offset`.
    @inlinable
    public init(file: FileTarget, mode: Int32 = 0, offset: UInt64, length: UInt64) {
        self.file = file
        self.mode = mode
        self.offset = offset
        self.length = length
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        file.apply(to: &entry)
        entry.len = UInt32(bitPattern: mode)
        entry.off = offset
        entry.addr = length
        return entry
    }
}
