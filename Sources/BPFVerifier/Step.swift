import BPF

/// What processing one instruction did to the path.
enum StepResult {
    /// The path goes on at `path.pc`.
    case next
    /// The path ended (exit of the entry function).
    case exit
}

extension VerifierRun {
    /// Processes the instruction at `path.pc` (`do_check`'s loop body).
    mutating func step() throws(Failure) -> StepResult {
        let pc = path.pc
        let insn = program.instructions[pc]
        switch insn.opcode & 0x07 {
        case 0x07, 0x04:
            try alu(insn)
            path.pc += 1
        case 0x01:
            try load(insn)
            path.pc += 1
        case 0x02, 0x03:
            try store(insn)
            path.pc += 1
        case 0x00:
            guard insn.isLoadImmediate64 else {
                throw .invalid(
                    "BPF_LD_[ABS|IND] instructions not allowed for this program type",
                    "Legacy packet loads (BPF_LD_ABS/IND) are only for socket filters.")
            }
            try loadImmediate64(insn, at: pc)
            path.pc += 2
        default:
            jumpsProcessed += 1
            return try jump(insn, at: pc)
        }
        return .next
    }

    // MARK: Register access (check_reg_arg)

    /// Checks that register `r` may be read.
    func readable(_ r: UInt8) throws(Failure) -> Register {
        guard r <= 10 else { throw .invalid("R\(r) is invalid", "Register r\(r) does not exist (r0-r10).") }
        let value = path.state[register: r]
        guard value.isInitialized else {
            throw .access(
                "R\(r) !read_ok",
                "R\(r) is read before anything was written to it on this path (or it was clobbered by a call).", [r])
        }
        return value
    }

    /// Checks that register `r` may be written.
    func writable(_ r: UInt8) throws(Failure) {
        guard r <= 10 else { throw .invalid("R\(r) is invalid", "Register r\(r) does not exist (r0-r10).") }
        guard r != 10 else {
            throw .access("frame pointer is read only", "r10, the frame pointer, cannot be written.", [10])
        }
    }

    mutating func set(_ r: UInt8, _ value: Register) {
        path.state[register: r] = value
        path.precise.registers[path.state.frames.count - 1] &= ~(UInt16(1) << UInt16(r))
    }

    // MARK: 64-bit immediate loads

    mutating func loadImmediate64(_ insn: Instruction, at pc: Int) throws(Failure) {
        try writable(insn.dst)
        guard pc + 1 < program.count else {
            throw .invalid("invalid BPF_LD_IMM insn", "The 64-bit load at \(pc) has no second half.")
        }
        switch program.relocations[pc] {
        case .map(let name)?:
            guard let m = program.mapIndex[name] else { throw .invalid("fd \(name) is not pointing to valid bpf_map", "Map \(name) is not defined.") }
            set(insn.dst, .pointer(Pointer(.map(map: m))))
        case .globalData(let section, let offset)?:
            guard let m = program.mapIndex[section] else {
                throw .invalid("fd \(section) is not pointing to valid bpf_map", "Global data \(section) has no map.")
            }
            set(insn.dst, .pointer(Pointer(.mapValue(map: m), offset: Int64(offset))))
        case .functionAddress(let start)?:
            set(insn.dst, .pointer(Pointer(.function(start: start))))
        case .ksym(let name)?:
            throw .invalid("unsupported ksym \(name)", "Kernel symbol \(name) (a ksym address) is not modelled by this verifier.")
        default:
            if insn.src == PseudoLoadKind.function.rawValue {
                set(insn.dst, .pointer(Pointer(.function(start: pc + Int(insn.imm) + 1))))
                return
            }
            guard insn.src == 0 else {
                throw .invalid("unrecognized bpf_ld_imm64 insn", "The 64-bit load at \(pc) refers to an object (kind \(insn.src)) without a relocation.")
            }
            let high = UInt64(UInt32(bitPattern: program.instructions[pc + 1].imm))
            let value = high << 32 | UInt64(UInt32(bitPattern: insn.imm))
            set(insn.dst, .constant(value))
        }
    }
}
