import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Gather write (`IORING_OP_WRITEV`), like pwritev2(2).
public struct Writev: SubmissionOperation {
    /// The opcode this type prepares.
    public static var opcode: Opcode { .writev }
    /// The file.
    public var file: FileTarget
    /// The iovec array.
    public var vectors: UnsafePointer<iovec>?
    /// Number of iovecs.
    public var count: UInt32
    /// File offset; `UInt64.max` means the current position.
    public var offset: UInt64
    /// `RWF_*` flags.
    public var rwFlags: Int32
    /// Transfers through `count` iovecs at `offset`.
    @inlinable
    public init(file: FileTarget, vectors: UnsafePointer<iovec>?, count: UInt32, offset: UInt64 = 0,
                rwFlags: Int32 = 0) {
        self.file = file
        self.vectors = vectors
        self.count = count
        self.offset = offset
        self.rwFlags = rwFlags
    }

    /// The entry for this request.
    @inlinable
    public func build() -> SubmissionQueueEntry {
        var entry = SubmissionQueueEntry(opcode: Self.opcode)
        file.apply(to: &entry)
        entry.addr = address(vectors)
        entry.len = count
        entry.off = offset
        entry.opFlags = UInt32(bitPattern: rwFlags)
        return entry
    }
}
