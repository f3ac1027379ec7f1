/// Declares an access pattern for memory (`IORING_OP_MADVISE`), like madvise(2).
public struct Madvise: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .madvise }
    /// Start of the range.
    public var memory: UnsafeMutableRawPointer?
    /// Length of the range.
    public var length: UInt32
    /// `MADV_*`.
    public var advice: Int32
    /// Advises about `length` bytes at `memory`.
    @inlinable
    public init(memory: UnsafeMutableRawPointer?, length: UInt32, advice: Int32) {
        self.memory = memory
        self.length = length
        self.advice = advice
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = -1
        entry.addr = address(memory)
        entry.len = length
        entry.opFlags = UInt32(bitPattern: advice)
        return entry
    }
}
