import SystemPackage

/// Sets a file's size (`IORING_OP_FTRUNCATE`), like ftruncate(2).
public struct Ftruncate: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .ftruncate }
    /// The file.
    public var file: FileTarget
    /// The new size.
    public var length: UInt64
    /// Truncates or extends `file` to `length` bytes.
    @inlinable
    public init(file: FileTarget, length: UInt64) {
        self.file = file
        self.length = length
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        file.apply(to: &entry)
        entry.off = length
        return entry
    }
}
