import SystemPackage

/// Receives a message (`IORING_OP_RECVMSG`), like recvmsg(2).
public struct RecvMsg: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .recvmsg }
    /// The socket.
    public var socket: FileTarget
    /// The `struct msghdr`.
    public var message: UnsafeMutableRawPointer?
    /// `MSG_*` flags.
    public var flags: Int32
    /// Receives with `*message`.
    @inlinable
    public init(socket: FileTarget, message: UnsafeMutableRawPointer?, flags: Int32 = 0) {
        self.socket = socket
        self.message = message
        self.flags = flags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        socket.apply(to: &entry)
        entry.addr = address(message)
        entry.len = 1
        entry.opFlags = UInt32(bitPattern: flags)
        return entry
    }
}
