import CUringShim
import SystemPackage

/// A zeroed `union bpf_attr` that one command fills at the uapi byte offsets.
///
/// Fields are written by offset rather than through a Swift struct so the layout is exactly the kernel's
/// (`include/uapi/linux/bpf.h`). The size passed to the kernel is the end of the last field the command uses;
/// the kernel accepts a shorter attr and requires any tail it does not know to be zero.
struct BPFAttr {
    /// `sizeof(union bpf_attr)` in Linux 6.18 / 7.x.
    static let capacity = 168

    var bytes = [UInt8](repeating: 0, count: BPFAttr.capacity)
    /// The number of bytes handed to the kernel.
    let size: Int

    init(size: Int) {
        precondition(size > 0 && size <= BPFAttr.capacity)
        self.size = size
    }

    mutating func set(_ value: UInt32, at offset: Int) {
        precondition(offset + 4 <= size)
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + 4, with: $0) }
    }

    mutating func set(_ value: Int32, at offset: Int) { set(UInt32(bitPattern: value), at: offset) }

    mutating func set(_ value: UInt64, at offset: Int) {
        precondition(offset + 8 <= size)
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + 8, with: $0) }
    }

    /// Stores a user pointer as the kernel's `__aligned_u64`.
    mutating func set(_ pointer: UnsafeRawPointer?, at offset: Int) {
        set(UInt64(UInt(bitPattern: pointer)), at: offset)
    }

    /// Copies a name into a `char[16]` field, truncated so that a NUL always ends it.
    mutating func setName(_ name: String, at offset: Int) {
        let utf8 = Array(name.utf8.prefix(BPFObjectName.maxLength))
        bytes.replaceSubrange(offset..<offset + utf8.count, with: utf8)
    }

    func uint32(at offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }.littleEndian
    }
}

/// Object names (`BPF_OBJ_NAME_LEN`).
enum BPFObjectName {
    /// 16 bytes including the terminating NUL.
    static let maxLength = 15
}

/// Issues one `bpf(2)` command. Returns the non-negative result or the kernel's errno.
///
/// Every pointer stored in `attr` must stay valid for the duration of this call.
func bpfSyscall(_ command: BPFCommand, _ attr: inout BPFAttr) -> Result<Int32, Errno> {
    let size = UInt32(attr.size)
    // The kernel writes some fields back (e.g. log_true_size), so the attr is passed mutable.
    let result = attr.bytes.withUnsafeMutableBytes { cus_bpf(command.rawValue, $0.baseAddress, size) }
    if result < 0 { return .failure(Errno(rawValue: Int32(-result))) }
    return .success(Int32(result))
}

/// Issues a command that returns a new file descriptor, retrying on EINTR.
func bpfCreateFD(
    _ command: BPFCommand, _ attr: inout BPFAttr, operation: @autoclosure () -> String
) throws(BPFError) -> FileDescriptor {
    while true {
        switch bpfSyscall(command, &attr) {
        case .success(let fd): return FileDescriptor(rawValue: fd)
        case .failure(.interrupted): continue
        case .failure(let errno): throw BPFError(command: command, errno: errno, operation: operation())
        }
    }
}

/// Issues a command that returns no value, retrying on EINTR.
func bpfCall(_ command: BPFCommand, _ attr: inout BPFAttr, operation: @autoclosure () -> String) throws(BPFError) {
    _ = try bpfCreateFD(command, &attr, operation: operation())
}
