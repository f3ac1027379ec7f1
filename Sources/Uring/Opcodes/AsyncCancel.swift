import SystemPackage

/// Cancels pending requests (`IORING_OP_ASYNC_CANCEL`); the result is 0, -ENOENT or -EALREADY (or a count with ``all``).
public struct AsyncCancel: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .asyncCancel }
    /// What to match.
    public var key: Key
    /// Cancel every match, not just the first (`IORING_ASYNC_CANCEL_ALL`).
    public var all: Bool

    /// Which requests to cancel.
    public enum Key: Hashable, Sendable {
        /// The request with this `userData`.
        case userData(UInt64)
        /// Requests on this file (`IORING_ASYNC_CANCEL_FD`, `_FD_FIXED`).
        case file(FileTarget)
        /// Any request (`IORING_ASYNC_CANCEL_ANY`).
        case any
    }
    /// Cancels requests matching `key`.
    @inlinable
    public init(_ key: Key, all: Bool = false) {
        self.key = key
        self.all = all
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        entry.fd = -1
        var flags: UInt32 = all ? 1 : 0
        switch key {
        case .userData(let value):
            entry.addr = value
        case .file(.fd(let descriptor)):
            entry.fd = descriptor.rawValue
            flags |= 1 << 1
        case .file(.fixed(let slot)):
            entry.fd = Int32(bitPattern: slot)
            flags |= 1 << 1 | 1 << 3
        case .any:
            flags |= 1 << 2
        }
        entry.opFlags = flags
        return entry
    }
}
