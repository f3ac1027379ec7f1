/// Creates a directory (`IORING_OP_MKDIRAT`), like mkdirat(2).
public struct MkdirAt: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .mkdirat }
    /// Directory `path` is relative to.
    public var directory: Int32
    /// NUL-terminated path.
    public var path: UnsafePointer<CChar>?
    /// Permissions.
    public var mode: UInt32
    /// Creates directory `path`.
    @inlinable
    public init(directory: Int32 = -100, path: UnsafePointer<CChar>?, mode: UInt32 = 0o755) {
        self.directory = directory
        self.path = path
        self.mode = mode
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = directory
        entry.addr = address(path)
        entry.len = mode
        return entry
    }
}
