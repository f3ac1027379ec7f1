/// Whether user mode checks the addresses in SQEs before it submits them (``LoopOptions/sqeSandbox``).
///
/// An SQE carries user-space addresses that the kernel reads and writes on the process's behalf, so a program
/// that may only touch its own memory could otherwise aim a request anywhere in the application. See
/// <doc:UserModeSafetyModel>.
public enum SQESandboxMode: Sendable, Equatable {
    /// Every address an SQE carries must lie in the MEM region or in ``LoopOptions/grants``; an SQE that fails
    /// the check, or whose opcode the sandbox does not allow, is not submitted and completes with -EFAULT (or
    /// -EOPNOTSUPP). The default.
    case strict
    /// SQEs are submitted unchecked, as the kernel does: the program can make the kernel read and write any memory
    /// of the process (`uring-bpf run --unsafe-sqe-addresses`).
    case off
}
