import SystemPackage

/// Receives from a socket (`IORING_OP_RECV`), like recv(2); multishot needs a provided-buffer group.
public struct Recv: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .recv }
    /// The socket.
    public var socket: FileTarget
    /// The buffer (nil with `bufferGroup`).
    public var buffer: UnsafeMutableRawPointer?
    /// Its length (0 with `bufferGroup`: the provided buffer's size).
    public var length: UInt32
    /// `MSG_*` flags.
    public var flags: Int32
    /// Pick buffers from this provided-buffer group (sets BUFFER_SELECT).
    public var bufferGroup: UInt16?
    /// Keep receiving, one CQE per chunk, until an error or EOF (`IORING_RECV_MULTISHOT`).
    public var multishot: Bool
    /// Receives into `buffer`, or into buffers picked from `bufferGroup`.
    @inlinable
    public init(socket: FileTarget, buffer: UnsafeMutableRawPointer? = nil, length: UInt32 = 0, flags: Int32 = 0,
                bufferGroup: UInt16? = nil, multishot: Bool = false) {
        self.socket = socket
        self.buffer = buffer
        self.length = length
        self.flags = flags
        self.bufferGroup = bufferGroup
        self.multishot = multishot
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        socket.apply(to: &entry)
        entry.addr = address(buffer)
        entry.len = length
        entry.opFlags = UInt32(bitPattern: flags)
        if let bufferGroup {
            entry.flags |= SubmissionFlags.bufferSelect.rawValue
            entry.bufIndex = bufferGroup
        }
        if multishot { entry.ioprio |= 1 << 1 }
        return entry
    }
}
