/// A pre-decoded instruction: 16 bytes, operation resolved to one `Op`, immediates widened, jump targets absolute.
package struct Slot {
    package var op: Op
    package var dst: UInt8
    package var src: UInt8
    /// Memory offset, absolute target index for jumps and local calls, or (in the interpreter's copy) a cacheable
    /// kfunc call's memo index + 1.
    package var off: Int32
    /// Sign-extended immediate, `lddw` value, or host-function table index for helper/kfunc calls.
    package var imm: UInt64

    init(op: Op, dst: UInt8 = 0, src: UInt8 = 0, off: Int32 = 0, imm: UInt64 = 0) {
        self.op = op
        self.dst = dst
        self.src = src
        self.off = off
        self.imm = imm
    }
}

extension Slot {
    /// Decodes a validated instruction. `hostIndex` maps a call to its host-function table index (nil: unbound).
    static func decode(
        _ insn: Instruction, at index: Int, in program: Program, hostIndex: (Instruction, Int) -> Int?
    ) -> Slot {
        let imm = UInt64(bitPattern: Int64(insn.imm))
        let op = insn.opcode
        let isX = op & ISA.sourceX != 0
        func pick(_ k64: Op, _ x64: Op, _ k32: Op, _ x32: Op, is64: Bool) -> Op {
            is64 ? (isX ? x64 : k64) : (isX ? x32 : k32)
        }
        switch insn.instructionClass {
        case .alu, .alu64:
            let is64 = insn.instructionClass == .alu64
            let signed = insn.offset == 1
            let o: Op
            switch op & 0xf0 {
            case ISA.ALU.add: o = pick(.add64K, .add64X, .add32K, .add32X, is64: is64)
            case ISA.ALU.sub: o = pick(.sub64K, .sub64X, .sub32K, .sub32X, is64: is64)
            case ISA.ALU.mul: o = pick(.mul64K, .mul64X, .mul32K, .mul32X, is64: is64)
            case ISA.ALU.div:
                o = signed ? pick(.sdiv64K, .sdiv64X, .sdiv32K, .sdiv32X, is64: is64)
                    : pick(.div64K, .div64X, .div32K, .div32X, is64: is64)
            case ISA.ALU.or: o = pick(.or64K, .or64X, .or32K, .or32X, is64: is64)
            case ISA.ALU.and: o = pick(.and64K, .and64X, .and32K, .and32X, is64: is64)
            case ISA.ALU.lsh: o = pick(.lsh64K, .lsh64X, .lsh32K, .lsh32X, is64: is64)
            case ISA.ALU.rsh: o = pick(.rsh64K, .rsh64X, .rsh32K, .rsh32X, is64: is64)
            case ISA.ALU.neg: o = is64 ? .neg64 : .neg32
            case ISA.ALU.mod:
                o = signed ? pick(.smod64K, .smod64X, .smod32K, .smod32X, is64: is64)
                    : pick(.mod64K, .mod64X, .mod32K, .mod32X, is64: is64)
            case ISA.ALU.xor: o = pick(.xor64K, .xor64X, .xor32K, .xor32X, is64: is64)
            case ISA.ALU.mov:
                switch (insn.offset, is64, isX) {
                case (8, true, true): o = .movsx8to64
                case (16, true, true): o = .movsx16to64
                case (32, true, true): o = .movsx32to64
                case (8, false, true): o = .movsx8to32
                case (16, false, true): o = .movsx16to32
                default: o = pick(.mov64K, .mov64X, .mov32K, .mov32X, is64: is64)
                }
            case ISA.ALU.arsh: o = pick(.arsh64K, .arsh64X, .arsh32K, .arsh32X, is64: is64)
            default:  // END
                switch (is64, isX, insn.imm) {
                case (true, _, 16): o = .swap16
                case (true, _, 32): o = .swap32
                case (true, _, _): o = .swap64
                case (false, false, 16): o = .le16
                case (false, false, 32): o = .le32
                case (false, false, _): o = .le64
                case (false, true, 16): o = .be16
                case (false, true, 32): o = .be32
                default: o = .be64
                }
            }
            return Slot(op: o, dst: insn.dst, src: insn.src, imm: imm)
        case .jmp, .jmp32:
            let is64 = insn.instructionClass == .jmp
            let target = Int32(index + 1 + Int(insn.offset))
            switch op {
            case ISA.ja: return Slot(op: .ja, off: target)
            case ISA.ja32: return Slot(op: .ja, off: Int32(index + 1 + Int(insn.imm)))
            case ISA.exit: return Slot(op: .exit)
            case ISA.callx: return Slot(op: .callx, dst: insn.dst)
            case ISA.call:
                if insn.src == ISA.CallKind.local {
                    return Slot(op: .callLocal, off: Int32(index + 1 + Int(insn.imm)))
                }
                if let host = hostIndex(insn, index) { return Slot(op: .callHelper, imm: UInt64(host)) }
                return Slot(op: .unboundCall)
            default: break
            }
            let o: Op
            switch op & 0xf0 {
            case ISA.JMP.jeq: o = pick(.jeqK, .jeqX, .jeq32K, .jeq32X, is64: is64)
            case ISA.JMP.jgt: o = pick(.jgtK, .jgtX, .jgt32K, .jgt32X, is64: is64)
            case ISA.JMP.jge: o = pick(.jgeK, .jgeX, .jge32K, .jge32X, is64: is64)
            case ISA.JMP.jset: o = pick(.jsetK, .jsetX, .jset32K, .jset32X, is64: is64)
            case ISA.JMP.jne: o = pick(.jneK, .jneX, .jne32K, .jne32X, is64: is64)
            case ISA.JMP.jsgt: o = pick(.jsgtK, .jsgtX, .jsgt32K, .jsgt32X, is64: is64)
            case ISA.JMP.jsge: o = pick(.jsgeK, .jsgeX, .jsge32K, .jsge32X, is64: is64)
            case ISA.JMP.jlt: o = pick(.jltK, .jltX, .jlt32K, .jlt32X, is64: is64)
            case ISA.JMP.jle: o = pick(.jleK, .jleX, .jle32K, .jle32X, is64: is64)
            case ISA.JMP.jslt: o = pick(.jsltK, .jsltX, .jslt32K, .jslt32X, is64: is64)
            default: o = pick(.jsleK, .jsleX, .jsle32K, .jsle32X, is64: is64)
            }
            return Slot(op: o, dst: insn.dst, src: insn.src, off: target, imm: imm)
        case .ld:
            if op == ISA.lddw {
                let next = program.instructions[index + 1]
                let value = program.resolvedLoads[index]
                    ?? (UInt64(UInt32(bitPattern: insn.imm)) | UInt64(UInt32(bitPattern: next.imm)) << 32)
                return Slot(op: .lddw, dst: insn.dst, imm: value)
            }
            return Slot(op: .exit)  // second half of lddw: never executed
        case .ldx:
            let o: Op
            switch (op & 0xe0 == ISA.Mode.memsx, op & 0x18) {
            case (false, ISA.Size.b): o = .ldxb
            case (false, ISA.Size.h): o = .ldxh
            case (false, ISA.Size.w): o = .ldxw
            case (false, _): o = .ldxdw
            case (true, ISA.Size.b): o = .ldxsb
            case (true, ISA.Size.h): o = .ldxsh
            default: o = .ldxsw
            }
            return Slot(op: o, dst: insn.dst, src: insn.src, off: Int32(insn.offset))
        case .st:
            let o: Op
            switch op & 0x18 {
            case ISA.Size.b: o = .stb
            case ISA.Size.h: o = .sth
            case ISA.Size.w: o = .stw
            default: o = .stdw
            }
            return Slot(op: o, dst: insn.dst, off: Int32(insn.offset), imm: imm)
        case .stx:
            let o: Op
            if op & 0xe0 == ISA.Mode.atomic {
                let is64 = op & 0x18 == ISA.Size.dw
                switch insn.imm {
                case ISA.Atomic.add: o = is64 ? .atomic64Add : .atomic32Add
                case ISA.Atomic.or: o = is64 ? .atomic64Or : .atomic32Or
                case ISA.Atomic.and: o = is64 ? .atomic64And : .atomic32And
                case ISA.Atomic.xor: o = is64 ? .atomic64Xor : .atomic32Xor
                case ISA.Atomic.add | ISA.Atomic.fetch: o = is64 ? .atomic64FetchAdd : .atomic32FetchAdd
                case ISA.Atomic.or | ISA.Atomic.fetch: o = is64 ? .atomic64FetchOr : .atomic32FetchOr
                case ISA.Atomic.and | ISA.Atomic.fetch: o = is64 ? .atomic64FetchAnd : .atomic32FetchAnd
                case ISA.Atomic.xor | ISA.Atomic.fetch: o = is64 ? .atomic64FetchXor : .atomic32FetchXor
                case ISA.Atomic.xchg: o = is64 ? .atomic64Xchg : .atomic32Xchg
                default: o = is64 ? .atomic64Cmpxchg : .atomic32Cmpxchg
                }
            } else {
                switch op & 0x18 {
                case ISA.Size.b: o = .stxb
                case ISA.Size.h: o = .stxh
                case ISA.Size.w: o = .stxw
                default: o = .stxdw
                }
            }
            return Slot(op: o, dst: insn.dst, src: insn.src, off: Int32(insn.offset))
        }
    }
}

/// A pre-decoded instruction read in place: each operation loads only the fields it uses, so the dispatch
/// does not hold all five fields in CPU registers.
struct SlotRef {
    let pointer: UnsafePointer<Slot>

    var op: Op { @inline(__always) get { pointer.pointee.op } }
    var dst: UInt8 { @inline(__always) get { pointer.pointee.dst } }
    var src: UInt8 { @inline(__always) get { pointer.pointee.src } }
    var off: Int32 { @inline(__always) get { pointer.pointee.off } }
    var imm: UInt64 { @inline(__always) get { pointer.pointee.imm } }
}
