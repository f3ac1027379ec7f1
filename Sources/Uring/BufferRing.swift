import CUringShim
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A provided-buffer ring (`IORING_REGISTER_PBUF_RING`): a group of equal-size buffers the kernel picks from
/// for requests with ``SubmissionFlags/bufferSelect`` (e.g. multishot ``Recv``).
///
/// Created by ``IoUring/registerBufferRing(groupID:entries:bufferSize:)``, which fills it with every buffer.
/// The ring owns the memory: it stays valid until ``IoUring/unregisterBufferRing(groupID:)`` or the ring's end.
public struct BufferRing: Hashable, @unchecked Sendable {
    /// The buffer group id to put in `bufIndex`.
    public let groupID: UInt16
    /// Number of buffers (a power of two).
    public let entries: UInt32
    /// Size of each buffer.
    public let bufferSize: Int
    let ringMemory: UnsafeMutableRawPointer
    let ringBytes: Int
    let buffers: UnsafeMutableRawPointer
    let buffersBytes: Int
    let tailPointer: UnsafeMutablePointer<UInt16>

    /// The memory of buffer `id` (as reported by ``CompletionQueueEntry/bufferID``).
    public func buffer(id: UInt16) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: buffers + Int(id) * bufferSize, count: bufferSize)
    }

    /// Gives buffer `id` back to the kernel (adds it at the tail and publishes the new tail).
    public func recycle(id: UInt16) {
        let tail = tailPointer.pointee
        add(id: id, at: tail)
        cus_store_release_u16(tailPointer, tail &+ 1)
    }

    func add(id: UInt16, at tail: UInt16) {
        let entry = ringMemory + Int(UInt32(tail) & (entries - 1)) * 16
        entry.storeBytes(of: UInt64(UInt(bitPattern: buffers + Int(id) * bufferSize)), as: UInt64.self)
        (entry + 8).storeBytes(of: UInt32(bufferSize), as: UInt32.self)
        (entry + 12).storeBytes(of: id, as: UInt16.self)
    }

    func release() {
        munmap(ringMemory, ringBytes)
        munmap(buffers, buffersBytes)
    }
}

/// `struct io_uring_buf_reg` (40 bytes).
struct BufferRingRegister {
    var ringAddress: UInt64
    var ringEntries: UInt32
    var groupID: UInt16
    var flags: UInt16 = 0
    var reserved: (UInt64, UInt64, UInt64) = (0, 0, 0)
}

extension IoUring {
    /// Allocates `entries` buffers of `bufferSize` bytes, registers them as buffer group `groupID` and hands all
    /// of them to the kernel. `entries` must be a power of two (at most 32768).
    public mutating func registerBufferRing(groupID: UInt16, entries: UInt32, bufferSize: Int)
        throws(UringError) -> BufferRing {
        let what = "REGISTER_PBUF_RING, group \(groupID), \(entries) entries"
        guard entries > 0, entries & (entries - 1) == 0, entries <= 32768 else {
            throw UringError(.invalidArgument, "io_uring_register(\(what))",
                             hint: "entries must be a power of two from 1 to 32768")
        }
        // The kernel's io_uring_buf.len is 32 bits.
        guard bufferSize > 0, bufferSize <= Int(UInt32.max) else {
            throw UringError(.invalidArgument, "io_uring_register(\(what))",
                             hint: "a buffer size is 1 to \(UInt32.max) bytes, not \(bufferSize)")
        }
        let (totalBytes, overflow) = Int(entries).multipliedReportingOverflow(by: bufferSize)
        guard !overflow, let ringBytes = pageAligned(Int(entries) * 16), let buffersBytes = pageAligned(totalBytes) else {
            throw UringError(.noMemory, "io_uring_register(\(what))",
                             hint: "\(entries) buffers of \(bufferSize) bytes are more memory than an Int counts")
        }
        let ringMemory = mmap(nil, ringBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        let buffers = mmap(nil, buffersBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let ringMemory, ringMemory != MAP_FAILED, let buffers, buffers != MAP_FAILED else {
            let error = Errno(rawValue: Glibc.errno)
            if let ringMemory, ringMemory != MAP_FAILED { munmap(ringMemory, ringBytes) }
            if let buffers, buffers != MAP_FAILED { munmap(buffers, buffersBytes) }
            throw UringError(error, "mmap for \(what)")
        }
        var request = BufferRingRegister(ringAddress: UInt64(UInt(bitPattern: ringMemory)), ringEntries: entries,
                                         groupID: groupID)
        do {
            _ = try withUnsafeBytes(of: &request) { (raw) throws(UringError) in
                try register(.pbufRing, argument: raw.baseAddress, count: 1, what)
            }
        } catch {
            munmap(ringMemory, ringBytes)
            munmap(buffers, buffersBytes)
            throw error
        }
        let ring = BufferRing(groupID: groupID, entries: entries, bufferSize: bufferSize, ringMemory: ringMemory,
                              ringBytes: ringBytes, buffers: buffers, buffersBytes: buffersBytes,
                              tailPointer: (ringMemory + 14).assumingMemoryBound(to: UInt16.self))
        for id in 0..<entries { ring.add(id: UInt16(id), at: UInt16(id)) }
        cus_store_release_u16(ring.tailPointer, UInt16(truncatingIfNeeded: entries))
        bufferRings.append(ring)
        return ring
    }

    /// Unregisters buffer group `groupID` and frees its memory.
    public mutating func unregisterBufferRing(groupID: UInt16) throws(UringError) {
        var request = BufferRingRegister(ringAddress: 0, ringEntries: 0, groupID: groupID)
        _ = try withUnsafeBytes(of: &request) { (raw) throws(UringError) in
            try register(.unregisterPbufRing, argument: raw.baseAddress, count: 1,
                         "UNREGISTER_PBUF_RING, group \(groupID)")
        }
        if let index = bufferRings.firstIndex(where: { $0.groupID == groupID }) {
            bufferRings.remove(at: index).release()
        }
    }
}
