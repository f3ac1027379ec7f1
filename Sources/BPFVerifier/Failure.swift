import SystemPackage
import SystemSupport

/// A rule the program breaks, as found while exploring: the errno, the kernel's message, our sentence, and the
/// registers involved. ``VerifierRun`` adds the instruction and the source line.
struct Failure: Error, Sendable {
    var errno: Errno
    /// The kernel's wording, e.g. `R1 invalid mem access 'mem_or_null'`.
    var kernelMessage: String
    /// One human sentence, e.g. `R1 may be NULL here: check the result of bpf_io_uring_get_region before using it.`
    var reason: String
    /// Registers whose states explain the failure.
    var registers: [UInt8]
    /// The failing instruction when it is not the one being processed (e.g. the CFG check).
    var instruction: Int?

    init(_ errno: Errno, _ kernelMessage: String, _ reason: String, registers: [UInt8] = [],
         instruction: Int? = nil) {
        self.errno = errno
        self.kernelMessage = kernelMessage
        self.reason = reason
        self.registers = registers
        self.instruction = instruction
    }

    static func access(_ message: String, _ reason: String, _ registers: [UInt8] = []) -> Failure {
        Failure(.permissionDenied, message, reason, registers: registers)
    }

    static func invalid(_ message: String, _ reason: String, _ registers: [UInt8] = []) -> Failure {
        Failure(.invalidArgument, message, reason, registers: registers)
    }
}
