/// The kind of a memory access, for error messages.
public enum AccessKind: String, Sendable {
    case load, store, atomic
}

/// Why a run stopped without returning, and at which instruction.
public struct RuntimeError: Error, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable {
        /// A load, store or atomic outside every granted region (or without the needed permission).
        case memoryViolation(address: UInt64, size: Int, kind: AccessKind, nearest: MemoryRegion?)
        /// An atomic operation on an address not aligned to its size.
        case misalignedAtomic(address: UInt64, size: Int)
        /// A local call would exceed the call-depth limit (stack overflow).
        case callDepthExceeded(limit: Int)
        /// `call imm` / `callx` to a helper id the host did not register.
        case unknownHelper(id: Int64)
        /// A kfunc call the host did not bind (`name` if the program bound one, else the BTF id `imm`).
        case unknownKfunc(name: String?, btfID: Int32)
        /// A host function threw; the run stopped.
        case hostFunctionFailed(name: String, error: any Error)
        /// The instruction budget ran out (an endless or too-long loop).
        case budgetExhausted(budget: UInt64)
        /// The host set the cancellation flag.
        case cancelled
        /// `run(entry:)` was asked to start somewhere that is not the start of a function.
        case badEntry
        /// A pseudo `lddw` was not resolved by the host before running.
        case unresolvedPseudoLoad(kind: PseudoLoadKind, imm: Int32)
    }

    /// Index of the instruction that stopped the run.
    public var index: Int
    /// What went wrong.
    public var reason: Reason

    /// Creates an error.
    public init(index: Int, reason: Reason) {
        self.index = index
        self.reason = reason
    }

    /// A one-line explanation naming the instruction index.
    public var description: String { "runtime error at instruction \(index): \(reason.summary)" }
}

extension RuntimeError.Reason {
    /// What went wrong, in a few words (without the instruction).
    public var summary: String {
        let what: String
        switch self {
        case .memoryViolation(let address, let size, let kind, let nearest):
            let at = "\(size)-byte \(kind.rawValue) at 0x\(String(address, radix: 16))"
            if let nearest, kind != .load, !nearest.permissions.contains(.write),
               nearest.contains(address, size: UInt64(max(size, 0))) {
                what = "\(at) to read-only region \(nearest)"
            } else {
                let near = nearest.map { "nearest region \($0)" } ?? "no regions granted"
                what = "out-of-bounds \(at) (\(near))"
            }
        case .misalignedAtomic(let address, let size):
            what = "misaligned \(size)-byte atomic at 0x\(String(address, radix: 16))"
        case .callDepthExceeded(let limit): what = "stack overflow: call depth exceeds \(limit) frames"
        case .unknownHelper(let id): what = "call to unknown helper \(id)"
        case .unknownKfunc(let name, let btfID):
            what = "call to unknown kfunc " + (name.map { "'\($0)'" } ?? "with BTF id \(btfID)")
        case .hostFunctionFailed(let name, let error): what = "host function \(name) failed: \(error)"
        case .budgetExhausted(let budget): what = "instruction budget of \(budget) exhausted (endless loop?)"
        case .cancelled: what = "run cancelled by the host"
        case .badEntry: what = "entry point is not the start of a function"
        case .unresolvedPseudoLoad(let kind, let imm): what = "unresolved pseudo lddw (\(kind), imm \(imm))"
        }
        return what
    }
}
