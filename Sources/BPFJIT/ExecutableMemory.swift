#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Machine code in pages that are never writable and executable at once: mapped read-write, filled, then
/// switched to read-execute; unmapped on deinit.
final class ExecutableMemory {
    /// The system calls used, replaceable so tests can make the kernel's refusal happen on demand.
    struct System: Sendable {
        var map: @Sendable (_ size: Int) -> UnsafeMutableRawPointer?
        /// Returns 0, or the errno of the refusal.
        var protectExecutable: @Sendable (_ pointer: UnsafeMutableRawPointer, _ size: Int) -> Int32
        var unmap: @Sendable (_ pointer: UnsafeMutableRawPointer, _ size: Int) -> Void

        /// mmap / mprotect / munmap.
        static let live = System(
            map: { size in
                let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                return p == MAP_FAILED ? nil : p
            },
            protectExecutable: { pointer, size in mprotect(pointer, size, PROT_READ | PROT_EXEC) == 0 ? 0 : errno },
            unmap: { pointer, size in _ = munmap(pointer, size) })
    }

    /// First byte of the code.
    let base: UnsafeRawPointer
    /// Mapped bytes (whole pages).
    let size: Int
    private let system: System

    /// Maps `code` executable. Throws (with the errno text) when the kernel refuses the mapping or the switch to
    /// executable, as it does under `prctl(PR_SET_MDWE)`, SELinux `execmem` denial or a seccomp filter.
    init(_ code: [UInt8], system: System = .live) throws(JITUnavailable) {
        let page = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)
        let size = max(1, (code.count + page - 1) / page) * page
        guard let pointer = system.map(size) else {
            throw JITUnavailable(reason: "mmap of \(size) bytes for code failed: \(Self.describe(errno))")
        }
        code.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: code.count) }
        let error = system.protectExecutable(pointer, size)
        guard error == 0 else {
            system.unmap(pointer, size)
            throw JITUnavailable(reason: "the kernel refused to make JIT code executable (mprotect: \(Self.describe(error)))")
        }
        self.base = UnsafeRawPointer(pointer)
        self.size = size
        self.system = system
    }

    deinit { system.unmap(UnsafeMutableRawPointer(mutating: base), size) }

    private static func describe(_ error: Int32) -> String {
        String(cString: strerror(error)) + " (errno \(error))"
    }
}
