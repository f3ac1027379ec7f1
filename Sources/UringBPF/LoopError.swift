import BPFObject
import SystemPackage
import Uring

/// What kind of failure a ``LoopError`` is.
public enum LoopErrorKind: Sendable, Equatable {
    /// A caller's argument or option was malformed (EINVAL).
    case badArgument
    /// The requested mode is not available here, e.g. kernel mode before Linux 7.1 (EOPNOTSUPP).
    case modeUnavailable
    /// The program could not be loaded: the kernel or the user-mode loader refused it.
    case loadFailed
    /// The run ended with the errno `io_uring_enter` returns: EINVAL when `loop_step` returned neither CONTINUE
    /// nor STOP, EEXIST from a foreign thread, ...
    case runFailed
    /// User mode: the program did something the engine refused (an access outside its memory, a step budget);
    /// ``LoopError/fault`` says where.
    case programFault
    /// ``UringLoop/interrupt()`` or a signal to the loop's thread ended the run (EINTR). Run again to resume.
    case interrupted
    /// ``LoopOptions/timeout`` elapsed (ETIME). Run again to resume.
    case timedOut
    /// The task awaiting ``UringLoop/run()-97i3n`` was cancelled (ECANCELED). Run again to resume.
    case cancelled
}

/// Why a loop could not be set up, or why a run ended without `IOU_LOOP_STOP`.
///
/// Every error carries the errno that the kernel's `io_uring_enter` (or `bpf()`, for a load) would return, so the
/// CLI and programs report one number for one failure. A run that ended ``LoopErrorKind/interrupted``,
/// ``LoopErrorKind/timedOut`` or ``LoopErrorKind/cancelled`` can be resumed by running again: the program's state
/// (globals, maps, MEM) is kept, as after EINTR from the kernel.
public struct LoopError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public var kind: LoopErrorKind
    /// The errno the kernel would return for this failure.
    public var errno: Errno
    /// What went wrong, in one or more sentences.
    public var message: String
    /// For ``LoopErrorKind/programFault`` and a verifier's refusal (``LoopErrorKind/loadFailed``): where in the
    /// program.
    public var fault: ProgramFault?

    /// An error of `kind` with `errno` (by default the kind's usual one).
    public init(_ kind: LoopErrorKind, errno: Errno? = nil, _ message: String, fault: ProgramFault? = nil) {
        self.kind = kind
        self.errno = errno ?? kind.defaultErrno
        self.message = message
        self.fault = fault
    }

    /// Whether running again resumes the program (interrupted, timed out or cancelled).
    public var isResumable: Bool { [.interrupted, .timedOut, .cancelled].contains(kind) }

    /// `-errno`, the value `io_uring_enter` would return.
    public var result: Int32 { -errno.rawValue }

    /// `ENAME: message`.
    public var description: String { "\(errno.symbolicName): \(message)" }
}

extension LoopErrorKind {
    var defaultErrno: Errno {
        switch self {
        case .badArgument, .runFailed, .loadFailed: .invalidArgument
        case .modeUnavailable: .notSupported
        case .programFault: .badAddress
        case .interrupted: .interrupted
        case .timedOut: .timeout
        case .cancelled: .canceled
        }
    }
}

/// Where a user-mode program fault happened.
public struct ProgramFault: Sendable, Equatable, CustomStringConvertible {
    /// The program (its entry function's name).
    public var program: String
    /// Index of the faulting instruction in the program's linked instructions.
    public var instruction: Int
    /// The source line, from the object's BTF line info.
    public var location: SourceLocation?
    /// The address the instruction accessed, for memory faults.
    public var address: UInt64?
    /// What was wrong, e.g. "out-of-bounds store of 8 bytes".
    public var reason: String

    /// `program: instruction N (file.c:L:C: source): reason`.
    public var description: String {
        var text = "\(program): instruction \(instruction)"
        if let location {
            let source = location.source.trimmingSpaces
            text += " (\(location)" + (source.isEmpty ? ")" : ": \(source))")
        }
        return text + ": " + reason
    }
}
