/// Waits for a child process state change (`IORING_OP_WAITID`), like waitid(2).
public struct WaitID: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .waitid }
    /// `P_PID`, `P_PGID`, `P_ALL` …
    public var idType: UInt32
    /// The id.
    public var id: Int32
    /// Where the `siginfo_t` goes (optional).
    public var info: UnsafeMutableRawPointer?
    /// `WEXITED` …
    public var options: Int32
    /// Waits for `idType`/`id` with `options`.
    @inlinable
    public init(idType: UInt32, id: Int32, info: UnsafeMutableRawPointer? = nil, options: Int32) {
        self.idType = idType
        self.id = id
        self.info = info
        self.options = options
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = id
        entry.len = idType
        entry.off = address(info)
        entry.spliceFDIn = options
        return entry
    }
}
