#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A failed `bpf(2)` call (or a related call such as `mmap` of a map), with what the kernel said.
public struct BPFError: Error, CustomStringConvertible, Sendable {
    /// The command that failed; `nil` for calls that are not `bpf(2)` commands (see `operation`).
    public var command: BPFCommand?
    /// The error number the kernel returned.
    public var errno: Errno
    /// The verifier log (program load) or BTF log (BTF load), when the kernel wrote one.
    public var log: String?
    /// What was being done, e.g. `load program "filter"` or `mmap map "counters"`.
    public var operation: String

    /// Creates an error for a failed call.
    public init(command: BPFCommand?, errno: Errno, operation: String, log: String? = nil) {
        self.command = command
        self.errno = errno
        self.operation = operation
        self.log = log
    }

    /// `"<operation>: <COMMAND> failed with EACCES (Permission denied)"`, followed by the log.
    public var description: String {
        var text = operation
        if let command { text += ": \(command) failed with \(errno.name)" } else { text += ": failed with \(errno.name)" }
        text += " (\(errno.message))"
        if let log, !log.isEmpty { text += "\nkernel log:\n" + log }
        return text
    }
}

// glibc's strerrorname_np is a GNU extension the Glibc module does not import; look it up once.
private let strerrornameNP: (@convention(c) (Int32) -> UnsafePointer<CChar>?)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "strerrorname_np") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> UnsafePointer<CChar>?).self)
}()

extension Errno {
    /// The symbolic name, e.g. `EACCES` (glibc `strerrorname_np`), or `errno N` when unknown.
    public var name: String {
        if let lookup = strerrornameNP, let name = lookup(rawValue) { return String(cString: name) }
        if rawValue == 524 { return "ENOTSUPP" }  // kernel-internal, seen from struct_ops map create
        return "errno \(rawValue)"
    }

    /// The human-readable message (`strerror`).
    public var message: String {
        if rawValue == 524 { return "Operation not supported by the kernel (ENOTSUPP)" }
        return String(cString: strerror(rawValue))
    }
}
