/// Opens a file with `struct open_how` (`IORING_OP_OPENAT2`), like openat2(2).
public struct OpenAt2: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .openat2 }
    /// Directory `path` is relative to (`AT_FDCWD` = -100).
    public var directory: Int32
    /// NUL-terminated path.
    public var path: UnsafePointer<CChar>?
    /// A 24-byte `struct open_how` (flags, mode, resolve).
    public var how: UnsafeRawPointer?
    /// Where the new descriptor goes.
    public var destination: DescriptorDestination
    /// Opens `path` as described by `how`.
    @inlinable
    public init(directory: Int32 = -100, path: UnsafePointer<CChar>?, how: UnsafeRawPointer?,
                destination: DescriptorDestination = .normal) {
        self.directory = directory
        self.path = path
        self.how = how
        self.destination = destination
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = directory
        entry.addr = address(path)
        entry.len = 24
        entry.off = address(how)
        entry.spliceFDIn = destination.fileIndex
        return entry
    }
}
