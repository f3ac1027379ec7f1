import BPF

/// The checks the kernel makes before exploring (`check_subprogs`, `check_cfg`): every jump lands inside its
/// function, every function ends in `exit` or a jump, every instruction is reachable; and what exploration needs
/// from the control-flow graph: prune points and the registers live before each instruction.
final class ControlFlow {
    /// Instructions where states are compared (`mark_prune_point`).
    let prunePoints: [Bool]
    /// Instructions where a checkpoint is always made (calls of callback-calling helpers).
    let forceCheckpoints: [Bool]
    /// Registers read before being written on some path from each instruction (bit r = register r).
    let liveBefore: [UInt16]

    static func isConditionalJump(_ insn: Instruction) -> Bool {
        let cls = insn.opcode & 0x07
        guard cls == 0x05 || cls == 0x06 else { return false }
        let op = insn.opcode & 0xf0
        return op != ISA.JMP.ja && op != ISA.JMP.call && op != ISA.JMP.exit
    }

    static func isJump(_ insn: Instruction) -> Bool {
        let cls = insn.opcode & 0x07
        guard cls == 0x05 || cls == 0x06 else { return false }
        let op = insn.opcode & 0xf0
        return op != ISA.JMP.call && op != ISA.JMP.exit
    }

    /// Jump target of a jump at `index` (`gotol` uses `imm`).
    static func target(of insn: Instruction, at index: Int) -> Int {
        if insn.opcode == ISA.ja32 { return index + Int(insn.imm) + 1 }
        return index + Int(insn.offset) + 1
    }

    init(_ program: VerifierProgram) throws(Failure) {
        let code = program.instructions
        let n = code.count
        var prunePoints = Array(repeating: false, count: n)
        var forceCheckpoints = Array(repeating: false, count: n)

        // check_subprogs: jumps stay inside their function; functions end in exit or a jump.
        for start in program.functionStarts {
            let end = program.functionEnd(start)
            var i = start
            while i < end {
                let insn = code[i]
                if Self.isJump(insn) {
                    let t = Self.target(of: insn, at: i)
                    if t < start || t >= end {
                        throw Failure(
                            .invalidArgument, "jump out of range from insn \(i) to \(t)",
                            "The jump at instruction \(i) goes to \(t), outside its function (instructions \(start)..<\(end)).",
                            instruction: i)
                    }
                }
                if insn.isLocalCall, case .subprogram(let callee) = program.callTarget(at: i), callee < 0 || callee >= n {
                    throw Failure(
                        .invalidArgument, "call to invalid destination",
                        "The call at instruction \(i) goes to \(callee), outside the program.", instruction: i)
                }
                i += insn.isLoadImmediate64 ? 2 : 1
            }
            let last = code[end - 1]
            let lastIsJump = last.isExit || last.opcode == ISA.ja || last.opcode == ISA.ja32
            if !lastIsJump {
                throw Failure(
                    .invalidArgument, "last insn is not an exit or jmp",
                    "Function \(program.functionName(start)) does not end with exit or a jump: execution would run off its end.",
                    instruction: end - 1)
            }
        }

        // check_cfg: depth-first from the entry; calls explore their callee too.
        var visited = Array(repeating: false, count: n)
        var stack = [0]
        visited[0] = true
        func push(_ t: Int) {
            if t >= 0 && t < n && !visited[t] {
                visited[t] = true
                stack.append(t)
            }
        }
        while let t = stack.popLast() {
            let insn = code[t]
            if insn.isLoadImmediate64 {
                if insn.src == PseudoLoadKind.function.rawValue {
                    prunePoints[t] = true
                    let callee = t + Int(insn.imm) + 1
                    push(callee)
                }
                push(t + 2)
                if t + 2 < n { prunePoints[t + 2] = true }
                continue
            }
            let cls = insn.opcode & 0x07
            guard cls == 0x05 || cls == 0x06 else {
                push(t + 1)
                continue
            }
            let op = insn.opcode & 0xf0
            if insn.isExit { continue }
            if op == ISA.JMP.call {
                if case .helper(let id) = program.callTarget(at: t), id == Helpers.loop {
                    forceCheckpoints[t] = true
                    prunePoints[t] = true
                }
                push(t + 1)
                if t + 1 < n { prunePoints[t + 1] = true }
                if case .subprogram(let callee) = program.callTarget(at: t) {
                    prunePoints[t] = true
                    push(callee)
                }
                continue
            }
            if op == ISA.JMP.ja {
                let target = Self.target(of: insn, at: t)
                push(target)
                if target >= 0 && target < n { prunePoints[target] = true }
                continue
            }
            prunePoints[t] = true
            push(t + 1)
            let target = Self.target(of: insn, at: t)
            push(target)
            if target >= 0 && target < n { prunePoints[target] = true }
        }
        var i = 0
        while i < n {
            if !visited[i] {
                throw Failure(
                    .invalidArgument, "unreachable insn \(i)",
                    "Instruction \(i) can never run: no path from the entry reaches it.", instruction: i)
            }
            if code[i].isLoadImmediate64 {
                if i + 1 < n && visited[i + 1] {
                    throw Failure(
                        .invalidArgument, "jump into the middle of ldimm64 insn \(i)",
                        "A jump lands on the second half of the 64-bit load at instruction \(i).", instruction: i)
                }
                i += 2
            } else {
                i += 1
            }
        }
        self.prunePoints = prunePoints
        self.forceCheckpoints = forceCheckpoints
        liveBefore = Self.liveness(program)
    }

    // MARK: Register liveness (compute_live_registers)

    /// Registers an instruction reads and writes.
    static func useDef(_ program: VerifierProgram, _ index: Int) -> (use: UInt16, def: UInt16) {
        let insn = program.instructions[index]
        let dst = UInt16(1) << UInt16(insn.dst & 0x0f)
        let src = UInt16(1) << UInt16(insn.src & 0x0f)
        let callerSaved: UInt16 = 0b11_1111  // r0-r5
        let cls = insn.opcode & 0x07
        switch cls {
        case 0x07, 0x04:  // ALU64, ALU
            let op = insn.opcode & 0xf0
            let isX = insn.opcode & ISA.sourceX != 0
            if op == ISA.ALU.mov { return (isX ? src : 0, dst) }
            if op == ISA.ALU.neg || op == ISA.ALU.end { return (dst, dst) }
            return (dst | (isX ? src : 0), dst)
        case 0x01:  // LDX
            return (src, dst)
        case 0x02:  // ST
            return (dst, 0)
        case 0x03:  // STX
            if insn.opcode & 0xe0 == ISA.Mode.atomic {
                if insn.imm == ISA.Atomic.cmpxchg { return (dst | src | 1, 1) }
                if insn.imm & ISA.Atomic.fetch != 0 { return (dst | src, src) }
            }
            return (dst | src, 0)
        case 0x00:  // LD (lddw)
            return (0, insn.isLoadImmediate64 ? dst : 1)
        default:  // JMP, JMP32
            let op = insn.opcode & 0xf0
            if insn.isExit { return (1, 0) }
            if op == ISA.JMP.call {
                let arguments: Int
                switch program.callTarget(at: index) {
                case .helper(let id): arguments = Helpers.prototype(id)?.arguments.count ?? 5
                case .kfunc(let name): arguments = Kfuncs.prototype(name)?.arguments.count ?? 5
                case .subprogram: arguments = 5
                }
                let use = UInt16((1 << (arguments + 1)) - 2)  // r1...rN
                return (use, callerSaved)
            }
            if op == ISA.JMP.ja { return (0, 0) }
            let isX = insn.opcode & ISA.sourceX != 0
            return (dst | (isX ? src : 0), 0)
        }
    }

    static func liveness(_ program: VerifierProgram) -> [UInt16] {
        let code = program.instructions
        let n = code.count
        var successors: [[Int]] = Array(repeating: [], count: n)
        var uses = Array(repeating: UInt16(0), count: n)
        var defs = Array(repeating: UInt16(0), count: n)
        var i = 0
        while i < n {
            let insn = code[i]
            (uses[i], defs[i]) = useDef(program, i)
            if insn.isLoadImmediate64 {
                if i + 2 < n { successors[i] = [i + 2] }
                i += 2
                continue
            }
            if insn.isExit {
            } else if isConditionalJump(insn) {
                successors[i] = [i + 1, target(of: insn, at: i)].filter { $0 >= 0 && $0 < n }
            } else if isJump(insn) {
                successors[i] = [target(of: insn, at: i)].filter { $0 >= 0 && $0 < n }
            } else if i + 1 < n {
                successors[i] = [i + 1]
            }
            i += 1
        }
        var liveIn = Array(repeating: UInt16(0), count: n)
        var changed = true
        while changed {
            changed = false
            for i in stride(from: n - 1, through: 0, by: -1) {
                var out: UInt16 = 0
                for s in successors[i] { out |= liveIn[s] }
                let newIn = uses[i] | (out & ~defs[i])
                if newIn != liveIn[i] {
                    liveIn[i] = newIn
                    changed = true
                }
            }
        }
        return liveIn
    }
}
