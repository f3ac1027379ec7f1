/// Creates a symbolic link (`IORING_OP_SYMLINKAT`), like symlinkat(2).
public struct SymlinkAt: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .symlinkat }
    /// What the link points to.
    public var target: UnsafePointer<CChar>?
    /// Directory `linkPath` is relative to.
    public var directory: Int32
    /// The link to create.
    public var linkPath: UnsafePointer<CChar>?
    /// Creates `linkPath` pointing at `target`.
    @inlinable
    public init(target: UnsafePointer<CChar>?, directory: Int32 = -100, linkPath: UnsafePointer<CChar>?) {
        self.target = target
        self.directory = directory
        self.linkPath = linkPath
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = directory
        entry.addr = address(target)
        entry.off = address(linkPath)
        return entry
    }
}
