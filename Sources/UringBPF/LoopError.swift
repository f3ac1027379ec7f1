#if canImport(Glibc)
import Glibc
#endif

/// Why a loop could not be set up or a run failed.
public enum LoopError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The run ended with the errno the kernel's `io_uring_enter` would return
    /// (EINVAL for a bad return value, EINTR on a signal, EEXIST from a foreign thread, ...).
    case errno(Int32, String)
    /// A caller's argument was malformed.
    case badArgument(String)
    /// The program cannot be used in this mode (unknown kfunc or helper, missing struct_ops, ...).
    case unsupportedProgram(String)
    /// The program did something the userspace engine refused (out-of-region access, budget, ...).
    case programFault(String)
    /// This mode is not available here (e.g. kernel mode on a kernel without `io_uring_bpf_ops`).
    case modeUnavailable(String)

    /// The negative errno a run returned, when the failure is one.
    public var errnoValue: Int32? {
        if case .errno(let e, _) = self { return e }
        return nil
    }

    public var description: String {
        switch self {
        case .errno(let e, let why): "\(errnoName(e)): \(why)"
        case .badArgument(let s), .unsupportedProgram(let s), .programFault(let s), .modeUnavailable(let s): s
        }
    }
}

/// "EINVAL" for EINVAL, or "errno N" for values glibc does not name.
func errnoName(_ e: Int32) -> String {
    guard let f = strerrornameNP, let name = unsafeBitCast(f, to: (@convention(c) (Int32) -> UnsafePointer<CChar>?).self)(e) else {
        return "errno \(e)"
    }
    return String(cString: name)
}

/// glibc's `strerrorname_np`, which Swift's Glibc module does not export.
nonisolated(unsafe) private let strerrornameNP = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "strerrorname_np")
