/// Renames a file (`IORING_OP_RENAMEAT`), like renameat2(2).
public struct RenameAt: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .renameat }
    /// Directory of the old path.
    public var oldDirectory: Int32
    /// Old NUL-terminated path.
    public var oldPath: UnsafePointer<CChar>?
    /// Directory of the new path.
    public var newDirectory: Int32
    /// New NUL-terminated path.
    public var newPath: UnsafePointer<CChar>?
    /// `RENAME_*` flags.
    public var flags: UInt32
    /// Renames `oldPath` to `newPath`.
    @inlinable
    public init(oldDirectory: Int32 = -100, oldPath: UnsafePointer<CChar>?, newDirectory: Int32 = -100,
                newPath: UnsafePointer<CChar>?, flags: UInt32 = 0) {
        self.oldDirectory = oldDirectory
        self.oldPath = oldPath
        self.newDirectory = newDirectory
        self.newPath = newPath
        self.flags = flags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = oldDirectory
        entry.addr = address(oldPath)
        entry.len = UInt32(bitPattern: newDirectory)
        entry.off = address(newPath)
        entry.opFlags = flags
        return entry
    }
}
