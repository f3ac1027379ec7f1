import SystemPackage
import Uring

/// An SQE that user mode's SQE sandbox did not submit (``SQESandboxMode/strict``), listed in
/// ``LoopStepTrace/refusals``.
///
/// The refused SQE completes with ``result`` and its `user_data`, as a request the kernel refused would; if it is
/// linked (`IOSQE_IO_LINK`), the rest of its chain completes with -ECANCELED.
public struct SQERefusal: Sendable, Equatable, CustomStringConvertible {
    /// The loop step that submitted the SQE (0 for the first step of a run).
    public var step: Int
    /// The SQE's index in the SQ region (the position in `bpf_io_uring_submit_sqes`'s batch).
    public var index: Int
    /// The SQE's opcode.
    public var opcode: Opcode
    /// The field that failed the check: `addr`, `addr2`, `iov[3].iov_base`, `msg_name`, `opcode`, ...
    public var field: String
    /// The address the field holds (or, for `opcode`, the opcode).
    public var address: UInt64
    /// What the SQE's CQE carries: -EFAULT for an address outside MEM and granted memory, -EOPNOTSUPP for an
    /// opcode or option the sandbox does not allow, -EINVAL or -ENAMETOOLONG where the kernel would refuse too.
    public var result: Int32
    /// Why, in words: "64 bytes at 0x7f3a0000 are outside MEM and granted memory".
    public var reason: String

    /// `step 2, SQE 0 (READ): addr 0x7f3a0000: 64 bytes ... -> -EFAULT`.
    public var description: String {
        "step \(step), SQE \(index) (\(opcode)): \(field) 0x\(String(address, radix: 16)): \(reason) -> \(result) "
            + "(\(Errno(rawValue: -result).symbolicName))"
    }
}
