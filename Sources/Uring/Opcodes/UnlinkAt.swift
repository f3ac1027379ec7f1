/// Removes a file or directory (`IORING_OP_UNLINKAT`), like unlinkat(2).
public struct UnlinkAt: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .unlinkat }
    /// Directory `path` is relative to.
    public var directory: Int32
    /// NUL-terminated path.
    public var path: UnsafePointer<CChar>?
    /// `AT_REMOVEDIR` or 0.
    public var flags: Int32
    /// Removes `path`.
    @inlinable
    public init(directory: Int32 = -100, path: UnsafePointer<CChar>?, flags: Int32 = 0) {
        self.directory = directory
        self.path = path
        self.flags = flags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = directory
        entry.addr = address(path)
        entry.opFlags = UInt32(bitPattern: flags)
        return entry
    }
}
