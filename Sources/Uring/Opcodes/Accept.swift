import SystemPackage

/// Accepts a connection (`IORING_OP_ACCEPT`), like accept4(2); the result is the new fd (or fixed slot).
public struct Accept: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .accept }
    /// The listening socket.
    public var socket: FileTarget
    /// Where the peer address goes (optional).
    public var address: UnsafeMutableRawPointer?
    /// In: size of `address`; out: the address length.
    public var addressLength: UnsafeMutablePointer<UInt32>?
    /// `SOCK_*` flags.
    public var flags: Int32
    /// Keep accepting, one CQE per connection (`IORING_ACCEPT_MULTISHOT`).
    public var multishot: Bool
    /// Where the new descriptor goes.
    public var destination: DescriptorDestination
    /// Accepts on `socket`.
    @inlinable
    public init(socket: FileTarget, address: UnsafeMutableRawPointer? = nil,
                addressLength: UnsafeMutablePointer<UInt32>? = nil, flags: Int32 = 0, multishot: Bool = false,
                destination: DescriptorDestination = .normal) {
        self.socket = socket
        self.address = address
        self.addressLength = addressLength
        self.flags = flags
        self.multishot = multishot
        self.destination = destination
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        socket.apply(to: &entry)
        entry.addr = Uring.address(address)
        entry.off = Uring.address(addressLength)
        entry.opFlags = UInt32(bitPattern: flags)
        entry.ioprio = multishot ? 1 : 0
        entry.spliceFDIn = destination.fileIndex
        return entry
    }
}
