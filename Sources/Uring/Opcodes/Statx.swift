/// Gets file status (`IORING_OP_STATX`), like statx(2).
public struct Statx: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .statx }
    /// Directory `path` is relative to (`AT_FDCWD` = -100).
    public var directory: Int32
    /// NUL-terminated path.
    public var path: UnsafePointer<CChar>?
    /// `AT_*` flags.
    public var flags: Int32
    /// `STATX_*` fields wanted.
    public var mask: UInt32
    /// Where the `struct statx` goes.
    public var result: UnsafeMutableRawPointer?
    /// Stats `path`, writing a `struct statx` to `result`.
    @inlinable
    public init(directory: Int32 = -100, path: UnsafePointer<CChar>?, flags: Int32 = 0, mask: UInt32,
                result: UnsafeMutableRawPointer?) {
        self.directory = directory
        self.path = path
        self.flags = flags
        self.mask = mask
        self.result = result
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = directory
        entry.addr = address(path)
        entry.len = mask
        entry.off = address(result)
        entry.opFlags = UInt32(bitPattern: flags)
        return entry
    }
}
