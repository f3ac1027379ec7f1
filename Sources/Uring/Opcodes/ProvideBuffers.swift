/// Hands buffers to a classic provided-buffer group (`IORING_OP_PROVIDE_BUFFERS`).
public struct ProvideBuffers: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .provideBuffers }
    /// Start of the first buffer; the rest follow contiguously.
    public var memory: UnsafeMutableRawPointer?
    /// Size of each buffer.
    public var bufferLength: UInt32
    /// Number of buffers.
    public var count: Int32
    /// The group.
    public var group: UInt16
    /// Id of the first buffer; the rest count up.
    public var firstID: UInt16
    /// Provides `count` buffers of `bufferLength` bytes starting at `memory`.
    @inlinable
    public init(memory: UnsafeMutableRawPointer?, bufferLength: UInt32, count: Int32, group: UInt16,
                firstID: UInt16 = 0) {
        self.memory = memory
        self.bufferLength = bufferLength
        self.count = count
        self.group = group
        self.firstID = firstID
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = count
        entry.addr = address(memory)
        entry.len = bufferLength
        entry.off = UInt64(firstID)
        entry.bufIndex = group
        return entry
    }
}
