/// Turns a registered file into a normal descriptor (`IORING_OP_FIXED_FD_INSTALL`); the result is the fd.
public struct FixedFdInstall: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .fixedFDInstall }
    /// The registered slot.
    public var slot: UInt32
    /// Leave O_CLOEXEC off (`IORING_FIXED_FD_NO_CLOEXEC`).
    public var noCloseOnExec: Bool
    /// Installs registered file `slot` as a normal descriptor.
    @inlinable
    public init(slot: UInt32, noCloseOnExec: Bool = false) {
        self.slot = slot
        self.noCloseOnExec = noCloseOnExec
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = Int32(bitPattern: slot)
        entry.flags = SubmissionFlags.fixedFile.rawValue
        entry.opFlags = noCloseOnExec ? 1 : 0
        return entry
    }
}
