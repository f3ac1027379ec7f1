import SystemPackage

/// Duplicates pipe data into another pipe (`IORING_OP_TEE`), like tee(2).
public struct Tee: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .tee }
    /// Source pipe.
    public var input: FileTarget
    /// Destination pipe.
    public var output: FileTarget
    /// Bytes to duplicate.
    public var length: UInt32
    /// `SPLICE_F_*`.
    public var flags: UInt32
    /// Duplicates `length` bytes from `input` to `output`.
    @inlinable
    public init(input: FileTarget, output: FileTarget, length: UInt32, flags: UInt32 = 0) {
        self.input = input
        self.output = output
        self.length = length
        self.flags = flags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        output.apply(to: &entry)
        entry.len = length
        var flags = self.flags
        switch input {
        case .fd(let descriptor): entry.spliceFDIn = descriptor.rawValue
        case .fixed(let slot):
            entry.spliceFDIn = Int32(bitPattern: slot)
            flags |= 1 << 31
        }
        entry.opFlags = flags
        return entry
    }
}
