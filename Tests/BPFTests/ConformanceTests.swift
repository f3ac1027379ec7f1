import BPF
import Testing

/// Runs a conformance program through the same contract the plugin uses (`ConformanceRun`).
func runConformance(_ instructions: [Instruction], memory bytes: [UInt8]) throws -> UInt64 {
    try ConformanceRun.run(try ConformanceRun.load(instructions), memory: bytes)
}

/// The bpf_conformance vectors (see ``ConformanceFile/root``): skipped, with where to get them, when they are not
/// here, and failing instead when URING_BPF_REQUIRE_CONFORMANCE=1 (CI).
@Suite struct ConformanceTests {
    static let files = (try? ConformanceFile.all(in: "tests")) ?? []
    static let negatives = (try? ConformanceFile.all(in: "negative")) ?? []

    @Test(.enabled(if: ConformanceFile.testsRun, ConformanceFile.whereToGetThem))
    func suiteIsComplete() throws {
        _ = try ConformanceFile.all(in: "tests")  // fails with where to get them when they are required but missing
        #expect(Self.files.count == 313)
        #expect(Self.negatives.count == 60)
    }

    @Test(.enabled(if: ConformanceFile.testsRun, ConformanceFile.whereToGetThem), arguments: files.map(\.name))
    func vector(_ name: String) throws {
        let file = try #require(Self.files.first { $0.name == name })
        let asm = try #require(file.asm)
        let expected = try #require(file.result)
        let instructions = try Assembler.assemble(asm)
        if let raw = file.raw { #expect(raw == instructions, "assembler output differs from -- raw") }
        #expect(try runConformance(instructions, memory: file.memory) == expected)
    }

    /// Negatives whose `-- raw` program sets a field the opcode does not use: the validator must reject them.
    @Test(.enabled(if: ConformanceFile.testsRun, ConformanceFile.whereToGetThem)) func reservedFieldNegativesAreRejected() throws {
        let raws = Self.negatives.filter { $0.raw != nil }
        #expect(raws.count == 45)
        for file in raws {
            #expect(throws: ValidationError.self, "\(file.name)") { try Program(file.raw!) }
        }
    }

    /// Negatives whose `-- asm` is malformed (bad register, range, label, operand count, mnemonic): the assembler
    /// must reject them.
    @Test(.enabled(if: ConformanceFile.testsRun, ConformanceFile.whereToGetThem)) func malformedAssemblyNegativesAreRejected() throws {
        let names = [
            "invalid_imm32_dec_range", "invalid_imm32_hex_range", "invalid_label", "invalid_lock", "invalid_lock2",
            "invalid_mnemonic", "invalid_offset", "invalid_offset_range", "invalid_operand_count", "invalid_register",
        ]
        for name in names {
            let file = try #require(Self.negatives.first { $0.name == name + ".data" })
            #expect(throws: AssemblyError.self, "\(name)") { try Assembler.assemble(file.asm ?? "") }
        }
    }

    /// A result with the high bits wrong must not match: our engine computes the true 64-bit value.
    @Test(.enabled(if: ConformanceFile.testsRun, ConformanceFile.whereToGetThem)) func highBitsMatter() throws {
        let file = try #require(Self.negatives.first { $0.name == "incorrect_return_value_high_bits.data" })
        let value = try runConformance(try Assembler.assemble(file.asm!), memory: file.memory)
        #expect(value == 0x8877_6655_4433_2211)
        #expect(value != file.result)
    }

    /// An empty program is rejected, not run.
    @Test func emptyProgramIsRejected() {
        #expect(throws: ValidationError(index: 0, reason: .empty)) { try Program([]) }
    }
}
