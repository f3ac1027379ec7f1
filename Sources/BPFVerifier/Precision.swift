import BPF

/// One processed instruction in a path's history, enough to walk precision marks back (`bpf_insn_hist_entry`).
struct HistoryEntry: Sendable {
    var pc: Int32
    /// Frame depth the instruction ran in.
    var depth: Int8
    /// For a stack access at a constant offset: the frame and slot it touched; -1 otherwise.
    var stackFrame: Int8 = -1
    var stackSlot: Int8 = -1
    /// The exit of a callback (its r0 does not flow to the caller).
    var isCallbackExit = false
}

/// Which scalars of a checkpoint must be compared by value when pruning (`reg->precise`): those whose value
/// some later instruction depended on. Everything else matches any value (root programs start imprecise).
struct PrecisionMarks: Sendable {
    /// Per frame: bit r = register r.
    var registers: [UInt16]
    /// Per frame: bit s = stack slot s (`r10 - 8*(s+1)`).
    var slots: [UInt64]

    init(frames: Int) {
        registers = Array(repeating: 0, count: frames)
        slots = Array(repeating: 0, count: frames)
    }

    var isEmpty: Bool {
        for r in registers where r != 0 { return false }
        for s in slots where s != 0 { return false }
        return true
    }
}

extension VerifierRun {
    /// Marks scalar registers `registers` of the current frame (and `slots`) precise: walks the path back to
    /// every instruction that produced them and marks their sources precise in the checkpoints on the way
    /// (`mark_chain_precision`).
    mutating func markPrecise(_ registers: [UInt8], slots: [(frame: Int, slot: Int)] = []) {
        var marks = PrecisionMarks(frames: deepestFrames + 1)
        let depth = path.state.frames.count - 1
        for r in registers where r < 10 {
            let bit = UInt16(1) << UInt16(r)
            // Already marked on this stretch of the path and not written since: its sources are marked too.
            guard case .scalar = path.state[register: r], path.precise.registers[depth] & bit == 0 else { continue }
            marks.registers[depth] |= bit
            path.precise.registers[depth] |= bit
        }
        for s in slots where s.slot < 64 {
            let bit = UInt64(1) << UInt64(s.slot)
            guard path.precise.slots[s.frame] & bit == 0 else { continue }
            marks.slots[s.frame] |= bit
            path.precise.slots[s.frame] |= bit
        }
        propagate(&marks)
    }

    mutating func propagate(_ marks: inout PrecisionMarks) {
        guard !marks.isEmpty else { return }
        backtrack(path.history, &marks)
        var checkpoint = path.parent
        while let cp = checkpoint, !marks.isEmpty {
            for f in cp.state.frames.count..<marks.registers.count {
                marks.registers[f] = 0
                marks.slots[f] = 0
            }
            for f in 0..<min(cp.state.frames.count, marks.registers.count) {
                var bits = marks.registers[f]
                while bits != 0 {
                    let r = bits.trailingZeroBitCount
                    bits &= bits - 1
                    let bit = UInt16(1) << UInt16(r)
                    guard case .scalar = cp.state.frames[f].registers[r] else {
                        marks.registers[f] &= ~bit
                        continue
                    }
                    if cp.precision.registers[f] & bit != 0 {
                        marks.registers[f] &= ~bit
                    } else {
                        cp.precision.registers[f] |= bit
                    }
                }
                var slotBits = marks.slots[f]
                while slotBits != 0 {
                    let s = slotBits.trailingZeroBitCount
                    slotBits &= slotBits - 1
                    let bit = UInt64(1) << UInt64(s)
                    let slot = cp.state.frames[f].slot(s)
                    guard slot.isSpill, case .scalar = slot.spilled else {
                        marks.slots[f] &= ~bit
                        continue
                    }
                    if cp.precision.slots[f] & bit != 0 {
                        marks.slots[f] &= ~bit
                    } else {
                        cp.precision.slots[f] |= bit
                    }
                }
            }
            backtrack(cp.history, &marks)
            checkpoint = cp.parent
        }
    }

    /// Walks `history` backwards, turning "needed after" into "needed before" (`backtrack_insn`).
    func backtrack(_ history: [HistoryEntry], _ marks: inout PrecisionMarks) {
        var index = history.count
        while index > 0 {
            index -= 1
            let entry = history[index]
            if marks.isEmpty { return }
            let d = Int(entry.depth)
            let insn = program.instructions[Int(entry.pc)]
            let dst = UInt16(1) << UInt16(insn.dst & 0x0f)
            let src = UInt16(1) << UInt16(insn.src & 0x0f)
            switch insn.opcode & 0x07 {
            case 0x07, 0x04:
                let code = insn.opcode & 0xf0
                let isX = insn.opcode & ISA.sourceX != 0
                guard marks.registers[d] & dst != 0 else { continue }
                if code == ISA.ALU.mov {
                    marks.registers[d] &= ~dst
                    if isX { marks.registers[d] |= src }
                } else if isX && code != ISA.ALU.neg && code != ISA.ALU.end {
                    marks.registers[d] |= src
                }
            case 0x01:
                guard marks.registers[d] & dst != 0 else { continue }
                marks.registers[d] &= ~dst
                if entry.stackSlot >= 0 {
                    marks.slots[Int(entry.stackFrame)] |= 1 << UInt64(entry.stackSlot)
                }
            case 0x02, 0x03:
                guard entry.stackSlot >= 0 else { continue }
                let f = Int(entry.stackFrame)
                let bit = UInt64(1) << UInt64(entry.stackSlot)
                guard marks.slots[f] & bit != 0 else { continue }
                let isAtomic = insn.opcode & 0xe0 == ISA.Mode.atomic
                if !isAtomic { marks.slots[f] &= ~bit }
                if insn.opcode & 0x07 == 0x03 { marks.registers[d] |= src }
            case 0x00:
                marks.registers[d] &= ~dst
            default:
                let code = insn.opcode & 0xf0
                if code == ISA.JMP.call {
                    if case .subprogram = program.callTarget(at: Int(entry.pc)) {
                        // Back from the callee's first instruction to the call: its arguments are the caller's.
                        if d + 1 < marks.registers.count {
                            marks.registers[d] |= marks.registers[d + 1] & 0b11_1110
                            marks.registers[d + 1] = 0
                            marks.slots[d + 1] = 0
                        }
                        marks.registers[d] &= ~0b1
                    } else {
                        marks.registers[d] &= ~0b11_1111
                        if d + 1 < marks.registers.count {
                            marks.registers[d + 1] = 0
                            marks.slots[d + 1] = 0
                        }
                    }
                } else if insn.isExit && d > 0 && !entry.isCallbackExit {
                    // Back into the callee through its exit: the caller's r0 is the callee's.
                    if marks.registers[d - 1] & 1 != 0 {
                        marks.registers[d - 1] &= ~1
                        marks.registers[d] |= 1
                    }
                }
            }
        }
    }

    /// After a callback returns to its call, scalars that changed and nothing depends on become unknown, so the
    /// callback loop converges (`widen_imprecise_scalars`).
    mutating func widenAfterCallback(callsite: Int) {
        var checkpoint = path.parent
        while let cp = checkpoint {
            if cp.instruction == callsite && cp.state.frames.count == path.state.frames.count
                && zip(cp.state.frames, path.state.frames).allSatisfy({ $0.callsite == $1.callsite })
            {
                break
            }
            checkpoint = cp.parent
        }
        guard let cp = checkpoint else { return }
        for f in path.state.frames.indices {
            for r in 0..<10 {
                guard case .scalar(let old, _) = cp.state.frames[f].registers[r],
                    case .scalar(let cur, _) = path.state.frames[f].registers[r],
                    cp.precision.registers[f] & (1 << UInt16(r)) == 0, old != cur
                else { continue }
                path.state.frames[f].registers[r] = .unknownScalar
            }
            for s in path.state.frames[f].stack.indices where s < cp.state.frames[f].stack.count {
                let oldSlot = cp.state.frames[f].stack[s]
                guard oldSlot.isSpill, case .scalar(let old, _) = oldSlot.spilled,
                    path.state.frames[f].stack[s].isSpill,
                    case .scalar(let cur, _) = path.state.frames[f].stack[s].spilled,
                    cp.precision.slots[f] & (1 << UInt64(s)) == 0, old != cur
                else { continue }
                path.state.frames[f].stack[s].spilled = .unknownScalar
            }
        }
    }
}
