#if canImport(Glibc)
import Glibc
#endif
import SystemPackage
import SystemSupport

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
        if let command { text += ": \(command) failed with \(errno.symbolicName)" } else { text += ": failed with \(errno.symbolicName)" }
        text += " (\(errno.message))"
        if let log, !log.isEmpty { text += "\nkernel log:\n" + log }
        return text
    }
}
