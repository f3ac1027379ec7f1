import SystemPackage

/// A typed io_uring request that builds a ``SubmissionQueueEntry``: one conforming type per opcode
/// (``Nop``, ``Read``, ``Timeout`` …), after tokio-rs/io-uring's `opcode` module.
///
/// Building is safe; the entry may hold raw addresses (buffers, paths, timespecs) that must stay valid until
/// the request completes — that is the caller's contract, as in liburing.
public protocol SubmissionOperation {
    /// The opcode this type prepares.
    static var opcode: Opcode { get }
    /// The entry, with `userData` 0 and no flags beyond what the operation itself needs.
    func build() -> SubmissionQueueEntry
}

/// The file a request works on: a plain descriptor or an index into the registered file table.
public enum FileTarget: Hashable, Sendable {
    /// A file descriptor.
    case fd(FileDescriptor)
    /// A registered ("fixed") file slot; sets ``SubmissionFlags/fixedFile``.
    case fixed(UInt32)

    /// Writes the fd field and the fixed-file flag.
    @inlinable
    func apply(to entry: inout SubmissionQueueEntry) {
        switch self {
        case .fd(let descriptor):
            entry.fd = descriptor.rawValue
        case .fixed(let index):
            entry.fd = Int32(bitPattern: index)
            entry.flags |= SubmissionFlags.fixedFile.rawValue
        }
    }
}

/// Where a request that creates a descriptor (openat, accept, socket) puts it.
public enum DescriptorDestination: Hashable, Sendable {
    /// A normal file descriptor (the result).
    case normal
    /// Registered file slot n.
    case fixedSlot(UInt32)
    /// Any free registered slot; the result is the slot index (`IORING_FILE_INDEX_ALLOC`).
    case allocateFixed

    /// The `file_index` field value.
    @inlinable
    var fileIndex: Int32 {
        switch self {
        case .normal: 0
        case .fixedSlot(let slot): Int32(bitPattern: slot &+ 1)
        case .allocateFixed: -1
        }
    }
}

/// A pointer as the 64-bit value the kernel reads.
@inlinable
func address(_ pointer: UnsafeRawPointer?) -> UInt64 { UInt64(UInt(bitPattern: pointer)) }
