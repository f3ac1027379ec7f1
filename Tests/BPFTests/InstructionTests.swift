import BPF
import Testing

@Suite struct InstructionTests {
    @Test func encodingRoundTrips() throws {
        let insn = Instruction(opcode: 0x79, dst: 1, src: 10, offset: -8, imm: 0)
        #expect(insn.encoded == 0x0000_0000_fff8_a179)
        #expect(Instruction(encoded: insn.encoded) == insn)
        let bytes = Instruction.encode([insn])
        #expect(bytes == [0x79, 0xa1, 0xf8, 0xff, 0, 0, 0, 0])
        #expect(try Instruction.decode(bytes) == [insn])
    }

    @Test func lddwTakesTwoSlotsAndKeepsItsPseudoKind() {
        let slots = Instruction.loadImmediate64(dst: 2, 0x1122_3344_5566_7788, kind: .mapValue)
        #expect(slots.count == 2)
        #expect(slots[0].src == PseudoLoadKind.mapValue.rawValue)
        #expect(UInt32(bitPattern: slots[0].imm) == 0x5566_7788)
        #expect(UInt32(bitPattern: slots[1].imm) == 0x1122_3344)
        #expect(slots[1].opcode == 0)
    }

    @Test func truncatedBytecodeIsRejected() {
        #expect(throws: DecodingError.self) { try Instruction.decode([0x95, 0, 0, 0, 0, 0, 0, 0, 0xb7]) }
    }
}

@Suite struct ValidatorTests {
    func reason(_ source: String, _ validator: Validator = Validator()) throws -> ValidationError? {
        let slots = try Assembler.assemble(source)
        do {
            try validator.validate(slots)
            return nil
        } catch {
            return error
        }
    }

    func reason(_ slots: [Instruction]) -> ValidationError? {
        do {
            try Validator().validate(slots)
            return nil
        } catch {
            return error
        }
    }

    let exit = Instruction(opcode: ISA.exit)

    @Test func unknownOpcodeNamesIndex() {
        let e = reason([Instruction(opcode: 0xb7), Instruction(opcode: 0x06 | 0x08), exit])
        #expect(e == ValidationError(index: 1, reason: .unknownOpcode(0x0e)))
        #expect(e?.description == "invalid instruction at index 1: unknown opcode 0x0e")
        #expect(reason([Instruction(opcode: 0x20), exit])?.reason == .unknownOpcode(0x20))  // legacy ld abs
    }

    @Test func badRegister() {
        #expect(reason([Instruction(opcode: 0xbf, dst: 11, src: 1), exit]) == ValidationError(index: 0, reason: .badRegister(11)))
        #expect(reason([Instruction(opcode: 0xbf, dst: 1, src: 12), exit])?.reason == .badRegister(12))
    }

    @Test func jumpOutOfRange() throws {
        #expect(try reason("ja +5\nexit") == ValidationError(index: 0, reason: .jumpOutOfRange(target: 6)))
        #expect(try reason("mov %r0, 0\njeq %r0, 0, -3\nexit")?.reason == .jumpOutOfRange(target: -1))
        // Into the middle of an lddw.
        #expect(try reason("ja +1\nlddw %r0, 5\nexit")?.reason == .jumpOutOfRange(target: 2))
        #expect(try reason("call local +7\nexit")?.reason == .jumpOutOfRange(target: 8))
        let functionPointer = Instruction.loadImmediate64(dst: 1, 40, kind: .function) + [Instruction(opcode: ISA.exit)]
        #expect(reason(functionPointer) == ValidationError(index: 0, reason: .jumpOutOfRange(target: 41)))
    }

    @Test func lddwTruncatedOrSplit() {
        let first = Instruction(opcode: ISA.lddw, dst: 1, imm: 1)
        #expect(reason([exit, first]) == ValidationError(index: 1, reason: .truncatedLoadImmediate))
        #expect(reason([first, Instruction(opcode: 0, dst: 3), exit]) == ValidationError(index: 1, reason: .splitLoadImmediate))
        #expect(reason([Instruction(opcode: 0, imm: 4), exit]) == ValidationError(index: 0, reason: .splitLoadImmediate))
        #expect(reason([Instruction(opcode: ISA.lddw, dst: 1, src: 7), Instruction(opcode: 0), exit])?.reason
            == .reservedFieldNonZero(field: "src (pseudo kind)", value: 7))
    }

    @Test func reservedFields() {
        #expect(reason([Instruction(opcode: 0x07, offset: 1, imm: 1), exit])?.reason
            == .reservedFieldNonZero(field: "offset", value: 1))
        #expect(reason([Instruction(opcode: 0x95, imm: 1)])?.reason == .reservedFieldNonZero(field: "imm", value: 1))
        #expect(reason([Instruction(opcode: 0xd4, imm: 8), exit])?.reason
            == .reservedFieldNonZero(field: "imm (byte-swap width)", value: 8))
        #expect(reason([Instruction(opcode: 0xdb, dst: 10, src: 1, imm: 0x02), exit])?.reason
            == .reservedFieldNonZero(field: "imm (atomic operation)", value: 2))
        // movsx32 exists only in ALU64.
        #expect(reason([Instruction(opcode: 0xbc, dst: 1, src: 2, offset: 32), exit])?.reason
            == .reservedFieldNonZero(field: "offset", value: 32))
    }

    @Test func divisionByImmediateZero() throws {
        #expect(try reason("div %r0, 0\nexit") == ValidationError(index: 0, reason: .divisionByImmediateZero))
        #expect(try reason("mov %r0, 1\nsmod32 %r0, 0\nexit")?.reason == .divisionByImmediateZero)
        #expect(try reason("div %r0, 0\nexit", Validator(allowsDivisionByImmediateZero: true)) == nil)
    }

    @Test func writeToFramePointer() throws {
        #expect(try reason("mov %r10, 0\nexit") == ValidationError(index: 0, reason: .writeToFramePointer))
        #expect(try reason("ldxdw %r10, [%r1]\nexit")?.reason == .writeToFramePointer)
        #expect(try reason("lock fetch add [%r1], %r10\nexit")?.reason == .writeToFramePointer)
        #expect(try reason("stxdw [%r10-8], %r10\nexit") == nil)  // reading r10 is fine
    }

    @Test func fallingOffTheEnd() throws {
        #expect(try reason("mov %r0, 0") == ValidationError(index: 0, reason: .fallsOffEnd))
        #expect(try reason("mov %r0, 0\nexit\njeq %r0, 0, -2")?.reason == .fallsOffEnd)
        #expect(try reason("mov %r0, 0\nexit\nlddw %r0, 1")?.index == 2)
        #expect(try reason("exit\nja -2") == nil)
    }

    @Test func v4InstructionsAreValid() throws {
        let source = """
            movsx864 %r1, %r2
            movsx1632 %r1, %r2
            movsx3264 %r1, %r2
            sdiv %r1, %r2
            smod32 %r1, 3
            bswap64 %r1
            ldxsb %r1, [%r10-1]
            ja32 +0
            call %r2
            call kfunc 77
            lock cmpxchg32 [%r10-8], %r1
            exit
            """
        #expect(try reason(source) == nil)
    }
}
