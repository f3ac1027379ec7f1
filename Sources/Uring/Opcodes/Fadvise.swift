import SystemPackage

/// Declares an access pattern for file data (`IORING_OP_FADVISE`), like posix_fadvise(2).
public struct Fadvise: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .fadvise }
    /// The file.
    public var file: FileTarget
    /// Start of the range.
    public var offset: UInt64
    /// Length of the range (0: to the end).
    public var length: UInt32
    /// `POSIX_FADV_*`.
    public var advice: Int32
    /// Advises about `length` bytes at `offset`.
    @inlinable
    public init(file: FileTarget, offset: UInt64, length: UInt32, advice: Int32) {
        self.file = file
        self.offset = offset
        self.length = length
        self.advice = advice
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        file.apply(to: &entry)
        entry.off = offset
        entry.len = length
        entry.opFlags = UInt32(bitPattern: advice)
        return entry
    }
}
