import SystemPackage

/// Sends on a socket (`IORING_OP_SEND`), like send(2).
public struct Send: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .send }
    /// The socket.
    public var socket: FileTarget
    /// The data.
    public var buffer: UnsafeRawPointer?
    /// Its length.
    public var length: UInt32
    /// `MSG_*` flags.
    public var flags: Int32
    /// Sends `length` bytes.
    @inlinable
    public init(socket: FileTarget, buffer: UnsafeRawPointer?, length: UInt32, flags: Int32 = 0) {
        self.socket = socket
        self.buffer = buffer
        self.length = length
        self.flags = flags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        socket.apply(to: &entry)
        entry.addr = address(buffer)
        entry.len = length
        entry.opFlags = UInt32(bitPattern: flags)
        return entry
    }
}
