/// A validated BPF program plus what the host resolved before running it: values of pseudo `lddw`s (map
/// addresses, BTF ids, …) and kfunc names bound to call instructions.
public struct Program: Sendable {
    /// The instruction slots as given (pseudo `lddw`s keep their original kind and immediates).
    public let instructions: [Instruction]
    /// Host values of resolved pseudo `lddw`s, by slot index.
    public private(set) var resolvedLoads: [Int: UInt64] = [:]
    /// kfunc names bound to `call` instructions (`src = 2`), by slot index.
    public private(set) var kfuncBindings: [Int: String] = [:]

    /// Validates and wraps `instructions`.
    public init(_ instructions: [Instruction], validator: Validator = Validator()) throws(ValidationError) {
        try validator.validate(instructions)
        self.instructions = instructions
    }

    /// Decodes, validates and wraps raw bytecode (8 bytes per slot).
    public init(bytecode: some Collection<UInt8>, validator: Validator = Validator()) throws(ProgramError) {
        let decoded: [Instruction]
        do { decoded = try Instruction.decode(bytecode) } catch { throw .decoding(error) }
        do { try self.init(decoded, validator: validator) } catch { throw .validation(error) }
    }

    /// A pseudo `lddw` the host must resolve before the program can run.
    public struct PseudoLoad: Sendable, Equatable {
        /// Slot index of the `lddw`.
        public var index: Int
        /// Pseudo kind (`src_reg`).
        public var kind: PseudoLoadKind
        /// `imm` of the first slot (fd, map index, BTF id, or pc-relative function offset).
        public var imm: Int32
        /// `imm` of the second slot (offset into a map value for `mapValue`/`mapIndexValue`).
        public var nextImm: Int32
        /// Whether the host has resolved it.
        public var isResolved: Bool

        /// Creates a description of a pseudo load.
        public init(index: Int, kind: PseudoLoadKind, imm: Int32, nextImm: Int32, isResolved: Bool) {
            self.index = index
            self.kind = kind
            self.imm = imm
            self.nextImm = nextImm
            self.isResolved = isResolved
        }
    }

    /// Every `lddw` whose kind is not a plain immediate.
    public var pseudoLoads: [PseudoLoad] {
        var result: [PseudoLoad] = []
        var i = 0
        while i < instructions.count {
            let insn = instructions[i]
            if insn.opcode == ISA.lddw {
                if let kind = PseudoLoadKind(rawValue: insn.src), kind != .immediate {
                    result.append(
                        PseudoLoad(
                            index: i, kind: kind, imm: insn.imm, nextImm: instructions[i + 1].imm,
                            isResolved: resolvedLoads[i] != nil))
                }
                i += 2
            } else {
                i += 1
            }
        }
        return result
    }

    /// Sets the 64-bit value a pseudo `lddw` at `index` loads (e.g. the host address of a map value).
    public mutating func resolvePseudoLoad(at index: Int, to value: UInt64) throws(ProgramError) {
        guard instructions.indices.contains(index), instructions[index].opcode == ISA.lddw else {
            throw .notALoadImmediate(index: index)
        }
        resolvedLoads[index] = value
    }

    /// Binds the kfunc call (`call` with `src = 2`) at `index` to the host kfunc registered under `name`.
    public mutating func bindKfunc(at index: Int, name: String) throws(ProgramError) {
        guard instructions.indices.contains(index), instructions[index].opcode == ISA.call,
            instructions[index].src == ISA.CallKind.kfunc
        else { throw .notAKfuncCall(index: index) }
        kfuncBindings[index] = name
    }

    /// Instruction indices where functions start: 0, local-call targets and function-address (`lddw` with
    /// `src = 4`) targets.
    public var functionEntries: Set<Int> {
        var entries: Set<Int> = [0]
        for i in instructions.indices {
            let insn = instructions[i]
            let isLocalCall = insn.opcode == ISA.call && insn.src == ISA.CallKind.local
            let isFunctionAddress = insn.opcode == ISA.lddw && insn.src == PseudoLoadKind.function.rawValue
            if isLocalCall || isFunctionAddress { entries.insert(i + Int(insn.imm) + 1) }
        }
        return entries
    }

    /// The first pseudo `lddw` not yet resolved, if any.
    public var firstUnresolvedLoad: PseudoLoad? { pseudoLoads.first { !$0.isResolved } }
}

/// Errors building or preparing a ``Program``.
public enum ProgramError: Error, CustomStringConvertible, Sendable {
    /// The bytecode is not whole instruction slots.
    case decoding(DecodingError)
    /// The instructions are not a valid program.
    case validation(ValidationError)
    /// `resolvePseudoLoad(at:)` on a slot that is not an `lddw`.
    case notALoadImmediate(index: Int)
    /// `bindKfunc(at:)` on a slot that is not a kfunc call.
    case notAKfuncCall(index: Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .decoding(let e): e.description
        case .validation(let e): e.description
        case .notALoadImmediate(let i): "instruction at index \(i) is not an lddw"
        case .notAKfuncCall(let i): "instruction at index \(i) is not a kfunc call (call with src=2)"
        }
    }
}
