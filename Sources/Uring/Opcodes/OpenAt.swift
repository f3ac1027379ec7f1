/// Opens a file (`IORING_OP_OPENAT`), like openat(2); the result is the fd (or fixed slot).
public struct OpenAt: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .openat }
    /// Directory `path` is relative to (`AT_FDCWD` = -100).
    public var directory: Int32
    /// NUL-terminated path.
    public var path: UnsafePointer<CChar>?
    /// `O_*` flags.
    public var flags: Int32
    /// Permissions when creating.
    public var mode: UInt32
    /// Where the new descriptor goes.
    public var destination: DescriptorDestination
    /// Opens `path` relative to `directory`.
    @inlinable
    public init(directory: Int32 = -100, path: UnsafePointer<CChar>?, flags: Int32, mode: UInt32 = 0,
                destination: DescriptorDestination = .normal) {
        self.directory = directory
        self.path = path
        self.flags = flags
        self.mode = mode
        self.destination = destination
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = directory
        entry.addr = address(path)
        entry.len = mode
        entry.opFlags = UInt32(bitPattern: flags)
        entry.spliceFDIn = destination.fileIndex
        return entry
    }
}
