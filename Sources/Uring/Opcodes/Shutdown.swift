import SystemPackage

/// Shuts down part of a connection (`IORING_OP_SHUTDOWN`), like shutdown(2).
public struct Shutdown: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .shutdown }
    /// The socket.
    public var socket: FileTarget
    /// `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
    public var how: Int32
    /// Shuts down `socket`.
    @inlinable
    public init(socket: FileTarget, how: Int32) {
        self.socket = socket
        self.how = how
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        socket.apply(to: &entry)
        entry.len = UInt32(bitPattern: how)
        return entry
    }
}
