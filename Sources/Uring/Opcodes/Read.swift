import SystemPackage

/// Reads into a buffer (`IORING_OP_READ`), like pread(2).
public struct Read: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .read }
    /// The file.
    public var file: FileTarget
    /// The buffer.
    public var buffer: UnsafeMutableRawPointer?
    /// Bytes to transfer.
    public var length: UInt32
    /// File offset; `UInt64.max` means the current position.
    public var offset: UInt64
    /// `RWF_*` flags.
    public var rwFlags: Int32
    /// Pick the buffer from this provided-buffer group instead of `buffer` (sets BUFFER_SELECT).
    public var bufferGroup: UInt16?
    /// Reads `length` bytes at `offset`.
    @inlinable
    public init(file: FileTarget, buffer: UnsafeMutableRawPointer?, length: UInt32, offset: UInt64 = 0,
                rwFlags: Int32 = 0, bufferGroup: UInt16? = nil) {
        self.file = file
        self.buffer = buffer
        self.length = length
        self.offset = offset
        self.rwFlags = rwFlags
        self.bufferGroup = bufferGroup
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        file.apply(to: &entry)
        entry.addr = address(buffer)
        entry.len = length
        entry.off = offset
        entry.opFlags = UInt32(bitPattern: rwFlags)
        if let bufferGroup {
            entry.flags |= SubmissionFlags.bufferSelect.rawValue
            entry.bufIndex = bufferGroup
        }
        return entry
    }
}
