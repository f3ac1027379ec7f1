import SystemPackage
import SystemSupport

/// What kind of problem a ``BPFLoaderError`` is.
public enum BPFLoaderErrorKind: Sendable, Equatable {
    /// The running kernel lacks a type or kfunc the object needs (e.g. no `io_uring_bpf_ops` before Linux 7.1).
    case unsupportedKernel
    /// The kernel's BTF (`/sys/kernel/btf/vmlinux`) is missing, unreadable or inconsistent.
    case kernelBTF
    /// The object does not fit the kernel or the loader (bad struct_ops layout, unsupported relocation, ...).
    case object
    /// A `bpf(2)` call (or mmap of a map) failed; see `kernelError`.
    case kernelCall
    /// The caller asked for something that does not exist or is not allowed (unknown global, read-only global).
    case usage
}

/// Why an object could not be loaded into the kernel or attached: what was wrong and where, and for failed kernel
/// calls the errno and the kernel's log (for a verifier rejection, the verifier log with the object's source lines).
public struct BPFLoaderError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem this is.
    public var kind: BPFLoaderErrorKind
    /// What was wrong, and where.
    public var message: String
    /// The failed kernel call, for `.kernelCall`: command, errno and the kernel's log.
    public var kernelError: BPFError?

    /// Creates an error.
    public init(_ kind: BPFLoaderErrorKind, _ message: String, kernelError: BPFError? = nil) {
        self.kind = kind
        self.message = message
        self.kernelError = kernelError
    }

    /// The errno of the failed kernel call, if any (e.g. `EBUSY` when the ring already has ops attached).
    public var errno: Errno? { kernelError?.errno }

    /// The verifier (or BTF) log of the failed kernel call, if the kernel wrote one.
    public var kernelLog: String? { kernelError?.log }

    /// The message; for kernel calls followed by the command, the errno and the kernel's log, e.g.
    /// `load program p (...): BPF_PROG_LOAD failed with EACCES (Permission denied)` and the verifier log.
    public var description: String {
        guard let kernelError else { return message }
        var text = message + ": "
        if let command = kernelError.command { text += "\(command)" } else { text += kernelError.operation }
        text += " failed with \(kernelError.errno.symbolicName) (\(kernelError.errno.message))"
        if let log = kernelError.log, !log.isEmpty { text += "\nkernel log:\n" + log }
        return text
    }

    /// Wraps a failed kernel call with what the loader was doing.
    static func kernel(_ what: String, _ error: BPFError) -> BPFLoaderError {
        BPFLoaderError(.kernelCall, what, kernelError: error)
    }
}
