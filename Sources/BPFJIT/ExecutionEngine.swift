/// The two ways to run a BPF program; `ProgramRunner` runs a program with the one you pick.
///
/// Both have the same semantics and the same safety (the JIT is checked against the interpreter on every
/// conformance vector and on random programs); the JIT is much faster on CPU-bound programs.
public enum ExecutionEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    /// x86-64 machine code (`JITRunner`). Where the JIT cannot run, a `ProgramRunner` asked for it runs the
    /// interpreter instead and says why in `ProgramRunner.fallbackReason`.
    case jit
    /// The portable interpreter (`Interpreter`).
    case interpreter

    /// The engine to use unless told otherwise: the JIT (which falls back to the interpreter where it cannot
    /// run, see `jitUnavailableReason`).
    public static let `default`: ExecutionEngine = .jit

    /// nil if JIT code can run in this process; otherwise why not, for people (e.g. "the kernel refused to make
    /// JIT code executable (mprotect: Permission denied (errno 13))"). Found out once, by mapping and calling a
    /// tiny function the way programs are mapped.
    public static var jitUnavailableReason: String? { JITAvailability.problem }

    /// `jit` or `interpreter` (the raw value, as command-line flags spell it).
    public var description: String { rawValue }
}
