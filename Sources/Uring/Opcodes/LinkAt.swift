/// Creates a hard link (`IORING_OP_LINKAT`), like linkat(2).
public struct LinkAt: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .linkat }
    /// Directory of the existing path.
    public var oldDirectory: Int32
    /// Existing NUL-terminated path.
    public var oldPath: UnsafePointer<CChar>?
    /// Directory of the new path.
    public var newDirectory: Int32
    /// New NUL-terminated path.
    public var newPath: UnsafePointer<CChar>?
    /// `AT_*` flags.
    public var flags: Int32
    /// Links `newPath` to `oldPath`.
    @inlinable
    public init(oldDirectory: Int32 = -100, oldPath: UnsafePointer<CChar>?, newDirectory: Int32 = -100,
                newPath: UnsafePointer<CChar>?, flags: Int32 = 0) {
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
        entry.opFlags = UInt32(bitPattern: flags)
        return entry
    }
}
