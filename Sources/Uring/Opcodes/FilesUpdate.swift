/// Updates registered file slots from the ring (`IORING_OP_FILES_UPDATE`); the result is how many were updated.
public struct FilesUpdate: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .filesUpdate }
    /// The new descriptors (-1 clears a slot).
    public var descriptors: UnsafeMutablePointer<Int32>?
    /// How many.
    public var count: UInt32
    /// First slot to update (`IORING_FILE_INDEX_ALLOC` = `UInt64(UInt32.max)`: any free slots, written back).
    public var offset: UInt64
    /// Puts `count` descriptors into slots starting at `offset`.
    @inlinable
    public init(descriptors: UnsafeMutablePointer<Int32>?, count: UInt32, offset: UInt64) {
        self.descriptors = descriptors
        self.count = count
        self.offset = offset
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = -1
        entry.addr = address(descriptors)
        entry.len = count
        entry.off = offset
        return entry
    }
}
