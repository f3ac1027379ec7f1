/// Why the JIT cannot run programs in this process (the machine is not x86-64, or the kernel refuses
/// executable memory).
public struct JITUnavailable: Error, CustomStringConvertible, Sendable {
    /// What failed, for people: shown by `uring-bpf probe` and by loop statistics as the fallback reason.
    public var reason: String

    /// Creates the error.
    public init(reason: String) {
        self.reason = reason
    }

    /// `JIT unavailable: <reason>`.
    public var description: String { "JIT unavailable: \(reason)" }
}
