import SystemPackage

/// Moves data between a pipe and a file (`IORING_OP_SPLICE`), like splice(2).
public struct Splice: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .splice }
    /// Source (a registered one needs `SPLICE_F_FD_IN_FIXED`, set automatically).
    public var input: FileTarget
    /// Source offset; `UInt64.max` for none (pipes).
    public var inputOffset: UInt64
    /// Destination.
    public var output: FileTarget
    /// Destination offset; `UInt64.max` for none.
    public var outputOffset: UInt64
    /// Bytes to move.
    public var length: UInt32
    /// `SPLICE_F_*`.
    public var flags: UInt32
    /// Splices `length` bytes from `input` to `output`.
    @inlinable
    public init(input: FileTarget, inputOffset: UInt64 = .max, output: FileTarget, outputOffset: UInt64 = .max,
                length: UInt32, flags: UInt32 = 0) {
        self.input = input
        self.inputOffset = inputOffset
        self.output = output
        self.outputOffset = outputOffset
        self.length = length
        self.flags = flags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        output.apply(to: &entry)
        entry.off = outputOffset
        entry.addr = inputOffset
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
