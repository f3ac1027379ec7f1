/// Where a loop program runs.
public enum LoopMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The kernel runs `loop_step` (Linux 7.1+ with `io_uring_bpf_ops`): one `io_uring_enter` per run.
    case kernel
    /// Our interpreter runs `loop_step` over the real ring, with the kfuncs emulated.
    case user
    /// Kernel when the running kernel has `io_uring_bpf_ops`, user otherwise.
    case auto

    public var description: String { rawValue }
}
