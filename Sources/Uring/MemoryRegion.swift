import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Who provides the memory of a region registered with `IORING_REGISTER_MEM_REGION`.
public enum MemoryRegionKind: Hashable, Sendable {
    /// This library allocates page-aligned memory and registers it as `IORING_MEM_REGION_TYPE_USER`
    /// (what the loop selftests do).
    case user
    /// The kernel allocates the memory; it is mmapped from the ring fd at the offset the kernel returns.
    case kernel
}

/// The memory of the ring's registered region and how to give it back.
struct RegisteredMemory {
    let buffer: UnsafeMutableRawBufferPointer
    let kind: MemoryRegionKind

    func unmapBeforeClose() {
        if kind == .kernel { munmap(buffer.baseAddress, buffer.count) }
    }

    func releaseAfterClose() {
        if kind == .user { munmap(buffer.baseAddress, buffer.count) }
    }
}

/// `struct io_uring_region_desc` (64 bytes).
struct RegionDescriptor {
    var userAddress: UInt64
    var size: UInt64
    var flags: UInt32
    var id: UInt32 = 0
    var mmapOffset: UInt64 = 0
    var reserved: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
}

/// `struct io_uring_mem_region_reg` (32 bytes).
struct MemoryRegionRegister {
    var regionAddress: UInt64
    var flags: UInt64 = 0
    var reserved: (UInt64, UInt64) = (0, 0)
}

extension IoUring {
    /// Registers the ring's parameter region (`IORING_REGISTER_MEM_REGION`, opcode 34), `size` bytes rounded
    /// up to whole pages, and maps it. Afterwards ``memoryRegion`` is the memory, zero-filled.
    /// A ring has at most one such region (a second registration fails with EBUSY).
    ///
    /// With `waitArguments` the kernel also reads `struct io_uring_reg_wait` entries from the region for
    /// `io_uring_enter` with ``EnterFlags/extArgRegistered`` (`IORING_MEM_REGION_REG_WAIT_ARG`); that needs a
    /// ring created with ``SetupFlags/ringsDisabled`` and not yet enabled.
    @discardableResult
    public mutating func registerMemoryRegion(size: Int, kind: MemoryRegionKind = .user, waitArguments: Bool = false)
        throws(UringError) -> UnsafeMutableRawBufferPointer {
        guard size >= 0, let bytes = pageAligned(max(size, 1)) else {
            throw UringError(size < 0 ? .invalidArgument : .noMemory, "io_uring_register(REGISTER_MEM_REGION, \(size) bytes)",
                             hint: size < 0 ? "a size cannot be negative" : "\(size) bytes do not round up to whole pages in an Int")
        }
        let what = "REGISTER_MEM_REGION, \(bytes) bytes, \(kind == .user ? "TYPE_USER" : "kernel-allocated")"
            + (waitArguments ? ", REG_WAIT_ARG" : "")
        var userMemory: UnsafeMutableRawPointer?
        if kind == .user {
            let mapping = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let mapping, mapping != MAP_FAILED else {
                throw UringError(Errno(rawValue: Glibc.errno), "mmap(anonymous, \(bytes) bytes) for \(what)")
            }
            userMemory = mapping
        }
        var descriptor = RegionDescriptor(userAddress: UInt64(UInt(bitPattern: userMemory)), size: UInt64(bytes),
                                          flags: kind == .user ? 1 : 0)
        do {
            try withUnsafeMutableBytes(of: &descriptor) { (raw) throws(UringError) in
                var request = MemoryRegionRegister(regionAddress: UInt64(UInt(bitPattern: raw.baseAddress)),
                                                   flags: waitArguments ? 1 : 0)
                _ = try withUnsafeBytes(of: &request) { (requestBytes) throws(UringError) in
                    try register(.memRegion, argument: requestBytes.baseAddress, count: 1, what)
                }
            }
        } catch {
            if let userMemory { munmap(userMemory, bytes) }
            throw error
        }
        if let userMemory {
            let buffer = UnsafeMutableRawBufferPointer(start: userMemory, count: bytes)
            memory = RegisteredMemory(buffer: buffer, kind: .user)
            return buffer
        }
        let mapping = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd.rawValue,
                           off_t(descriptor.mmapOffset))
        guard let mapping, mapping != MAP_FAILED else {
            throw UringError(Errno(rawValue: Glibc.errno),
                             "mmap(ring fd, offset 0x\(String(descriptor.mmapOffset, radix: 16)), \(bytes) bytes)",
                             hint: "the kernel registered the region but it could not be mapped")
        }
        let buffer = UnsafeMutableRawBufferPointer(start: mapping, count: bytes)
        memory = RegisteredMemory(buffer: buffer, kind: .kernel)
        return buffer
    }
}
