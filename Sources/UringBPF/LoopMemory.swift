/// A loop's MEM region (`IORING_REGISTER_MEM_REGION`), read and written in place.
///
/// A `LoopMemory` keeps the region alive, so it stays valid after the ``UringLoop`` is gone. Every access is bounds
/// checked; ``withUnsafeMutableBytes(_:)`` gives the raw bytes for the duration of a closure.
public struct LoopMemory {
    /// What owns the region (the ring); retained so the region outlives the loop.
    let owner: AnyObject
    let buffer: UnsafeMutableRawBufferPointer

    /// The region's size in bytes (page-rounded).
    public var count: Int { buffer.count }

    /// The region's address in this process: what a program stores in an SQE to point the kernel at MEM (`@mem`).
    public var address: UInt64 { UInt64(UInt(bitPattern: buffer.baseAddress)) }

    /// Calls `body` with the region's bytes, kept alive for the call. Do not let the pointer escape.
    public func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(owner) { () throws(E) -> R in try body(buffer) }
    }

    /// A copy of the bytes in `range`.
    public func bytes(_ range: Range<Int>) throws(LoopError) -> [UInt8] {
        try check(range)
        return withExtendedLifetime(owner) { Array(buffer[range]) }
    }

    /// A copy of the whole region.
    public var allBytes: [UInt8] { withExtendedLifetime(owner) { Array(buffer) } }

    /// Copies `bytes` into the region at `offset`.
    public func write(_ bytes: some Collection<UInt8>, at offset: Int) throws(LoopError) {
        let (end, overflow) = offset.addingReportingOverflow(bytes.count)
        guard !overflow else { throw outOfRange(offset, bytes.count) }
        try check(offset..<end)
        withExtendedLifetime(owner) {
            UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<end]).copyBytes(from: bytes)
        }
    }

    /// The `T` stored at `offset`.
    public func load<T: BitwiseCopyable>(fromByteOffset offset: Int, as type: T.Type = T.self) throws(LoopError) -> T {
        let (end, overflow) = offset.addingReportingOverflow(MemoryLayout<T>.size)
        guard !overflow else { throw outOfRange(offset, MemoryLayout<T>.size) }
        try check(offset..<end)
        return withExtendedLifetime(owner) { buffer.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }

    /// Stores `value` at `offset`.
    public func store<T: BitwiseCopyable>(_ value: T, toByteOffset offset: Int) throws(LoopError) {
        let (end, overflow) = offset.addingReportingOverflow(MemoryLayout<T>.size)
        guard !overflow else { throw outOfRange(offset, MemoryLayout<T>.size) }
        try check(offset..<end)
        withExtendedLifetime(owner) { buffer.storeBytes(of: value, toByteOffset: offset, as: T.self) }
    }

    private func check(_ range: Range<Int>) throws(LoopError) {
        guard range.lowerBound >= 0, range.upperBound <= buffer.count else {
            throw outOfRange(range.lowerBound, range.count)
        }
    }

    private func outOfRange(_ offset: Int, _ count: Int) -> LoopError {
        LoopError(.badArgument, "\(count) bytes at offset \(offset) do not fit the \(buffer.count)-byte MEM region")
    }
}
