import SystemPackage

/// Closes a descriptor or empties a registered file slot (`IORING_OP_CLOSE`).
public struct Close: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .close }
    /// The descriptor, or the fixed slot to empty.
    public var file: FileTarget
    /// Closes `file` (`.fixed(n)` empties registered slot n).
    @inlinable
    public init(file: FileTarget) {
        self.file = file
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        switch file {
        case .fd(let descriptor): entry.fd = descriptor.rawValue
        case .fixed(let slot): entry.spliceFDIn = Int32(bitPattern: slot &+ 1)
        }
        return entry
    }
}
