import SystemPackage

/// Reads into a registered buffer (`IORING_OP_READ_FIXED`).
public struct ReadFixed: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .readFixed }
    /// The file.
    public var file: FileTarget
    /// Start of the transfer; must lie inside registered buffer `bufferIndex`.
    public var buffer: UnsafeMutableRawPointer?
    /// Bytes to transfer.
    public var length: UInt32
    /// File offset.
    public var offset: UInt64
    /// The registered buffer.
    public var bufferIndex: UInt16
    /// `RWF_*` flags.
    public var rwFlags: Int32
    /// Transfers `length` bytes between the file and registered buffer `bufferIndex`.
    @inlinable
    public init(file: FileTarget, buffer: UnsafeMutableRawPointer?, length: UInt32, offset: UInt64 = 0,
                bufferIndex: UInt16, rwFlags: Int32 = 0) {
        self.file = file
        self.buffer = buffer
        self.length = length
        self.offset = offset
        self.bufferIndex = bufferIndex
        self.rwFlags = rwFlags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        file.apply(to: &entry)
        entry.addr = address(buffer)
        entry.len = length
        entry.off = offset
        entry.bufIndex = bufferIndex
        entry.opFlags = UInt32(bitPattern: rwFlags)
        return entry
    }
}
