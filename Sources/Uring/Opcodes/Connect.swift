import SystemPackage

/// Connects a socket (`IORING_OP_CONNECT`), like connect(2).
public struct Connect: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .connect }
    /// The socket.
    public var socket: FileTarget
    /// The peer address.
    public var address: UnsafeRawPointer?
    /// Its length.
    public var addressLength: UInt32
    /// Connects `socket` to `address`.
    @inlinable
    public init(socket: FileTarget, address: UnsafeRawPointer?, addressLength: UInt32) {
        self.socket = socket
        self.address = address
        self.addressLength = addressLength
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        socket.apply(to: &entry)
        entry.addr = Uring.address(address)
        entry.off = UInt64(addressLength)
        return entry
    }
}
