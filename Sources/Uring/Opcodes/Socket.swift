/// Creates a socket (`IORING_OP_SOCKET`), like socket(2); the result is the fd (or fixed slot).
public struct Socket: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .socket }
    /// `AF_*`.
    public var domain: Int32
    /// `SOCK_*` (may include `SOCK_CLOEXEC`/`SOCK_NONBLOCK`).
    public var type: Int32
    /// Protocol (0: default).
    public var `protocol`: Int32
    /// Where the new descriptor goes.
    public var destination: DescriptorDestination
    /// Creates a socket.
    @inlinable
    public init(domain: Int32, type: Int32, protocol: Int32 = 0, destination: DescriptorDestination = .normal) {
        self.domain = domain
        self.type = type
        self.protocol = `protocol`
        self.destination = destination
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = domain
        entry.off = UInt64(UInt32(bitPattern: type))
        entry.len = UInt32(bitPattern: `protocol`)
        entry.spliceFDIn = destination.fileIndex
        return entry
    }
}
