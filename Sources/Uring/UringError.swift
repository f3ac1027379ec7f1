import SystemPackage
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// An io_uring call that failed: the errno the kernel returned and what was attempted.
///
/// The description reads like
/// `io_uring_setup(entries: 8, flags: [.sqRewind]) failed: EINVAL — this kernel does not support SQ_REWIND`.
public struct UringError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The error number the kernel returned.
    public var errno: Errno
    /// The call that failed, with its arguments, e.g. `io_uring_enter(toSubmit: 1, ...)`.
    public var operation: String
    /// Why it most likely failed, when that is known (e.g. a flag this kernel lacks).
    public var hint: String?

    /// Creates an error for `operation` that failed with `errno`.
    public init(_ errno: Errno, _ operation: String, hint: String? = nil) {
        self.errno = errno
        self.operation = operation
        self.hint = hint
    }

    /// `operation failed: ENAME — hint`.
    public var description: String {
        var text = "\(operation) failed: \(errno.symbolicName)"
        if let hint { text += " — \(hint)" }
        return text
    }
}

/// Turns a shim result (`-errno` on failure) into a value or a ``UringError``.
@usableFromInline
@inline(never)
func uringFailure(_ result: Int32, _ operation: @autoclosure () -> String, hint: String? = nil) -> UringError {
    UringError(Errno(rawValue: -result), operation(), hint: hint)
}
