import BPF
import Testing

@Suite struct DisassemblerTests {
    func llvm(_ source: String, symbolizer: Disassembler.Symbolizer? = nil) throws -> [String] {
        Disassembler(symbolizer: symbolizer).disassemble(try Assembler.assemble(source)).map(\.text)
    }

    @Test func llvmSyntax() throws {
        let lines = try llvm(
            """
            ldxdw %r1, [%r10-8]
            jgt %r1, 0x10, +3
            add %r1, %r2
            add32 %r1, -16
            mov %r0, 1
            stxw [%r1+4], %r3
            stdw [%r10-16], 7
            ldxsh %r4, [%r1+2]
            ldxb %r5, [%r9]
            lddw %r1, 0x1122334455667788
            neg %r2
            be16 %r3
            bswap64 %r3
            movsx832 %r1, %r2
            sdiv %r1, %r2
            smod32 %r1, 5
            arsh %r1, 3
            and32 %r1, 0xffffffe
            jsle32 %r1, %r2, -4
            jset %r1, 1, +1
            ja +2
            ja32 -7
            lock add [%r1], %r2
            lock add32 [%r1], %r2
            lock fetch or32 [%r1+8], %r2
            lock xchg [%r1], %r2
            lock cmpxchg32 [%r1], %r2
            call 5
            call %r3
            call local +1
            exit
            """)
        #expect(
            lines == [
                "r1 = *(u64 *)(r10 - 0x8)", "if r1 > 0x10 goto +0x3", "r1 += r2", "w1 += -0x10", "r0 = 0x1",
                "*(u32 *)(r1 + 0x4) = w3", "*(u64 *)(r10 - 0x10) = 0x7", "r4 = *(s16 *)(r1 + 0x2)",
                "w5 = *(u8 *)(r9 + 0x0)", "r1 = 0x1122334455667788 ll", "r2 = -r2", "r3 = be16 r3", "r3 = bswap64 r3",
                "w1 = (s8)w2", "r1 s/= r2", "w1 s%= 0x5", "r1 s>>= 0x3", "w1 &= 0xffffffe", "if w1 s<= w2 goto -0x4",
                "if r1 & 0x1 goto +0x1", "goto +0x2", "gotol -0x7", "lock *(u64 *)(r1 + 0x0) += r2",
                "lock *(u32 *)(r1 + 0x0) += w2", "w2 = atomic_fetch_or((u32 *)(r1 + 0x8), w2)",
                "r2 = xchg_64(r1 + 0x0, r2)", "w0 = cmpxchg32_32(r1 + 0x0, w0, w2)", "call 0x5", "callx r3",
                "call 0x1", "exit",
            ])
    }

    @Test func symbolizerNamesHelpersAndKfuncs() throws {
        var program = try Program(try Assembler.assemble("call 7\ncall kfunc 1234\ncall kfunc 99\nexit"))
        try program.bindKfunc(at: 1, name: "bpf_io_uring_submit_sqes")
        var functions = HostFunctions()
        functions.registerHelper(id: 7, name: "bpf_trace_printk") { _ in 0 }
        functions.registerKfunc(name: "bpf_io_uring_get_region", btfID: 99) { _ in 0 }
        let text = Disassembler(symbolizer: Disassembler.symbolizer(program: program, functions: functions))
            .disassemble(program.instructions).map(\.text)
        #expect(text == ["call bpf_trace_printk", "call bpf_io_uring_submit_sqes", "call bpf_io_uring_get_region", "exit"])
        #expect(try llvm("call kfunc 12\nlddw %r0, -2\nexit") == ["call 0xc", "r0 = -0x2 ll", "exit"])
    }

    /// As llvm-objdump: a pseudo `lddw` (as the kernel sees it after libbpf) shows its kind and first imm.
    @Test func pseudoLoadsShowTheirKind() {
        let slots = Instruction.loadImmediate64(dst: 1, 0x0000_0010_0000_0003, kind: .mapValue)
            + Instruction.loadImmediate64(dst: 2, 5, kind: .mapFD) + [Instruction(opcode: ISA.exit)]
        let text = Disassembler().disassemble(slots)
        #expect(text.map(\.index) == [0, 2, 4])
        #expect(text.map(\.text) == ["ld_pseudo\tr1, 0x2, 0x3", "ld_pseudo\tr2, 0x1, 0x5", "exit"])
    }

    @Test func listingShowsIndexAndBytes() throws {
        let listing = Disassembler().listing(try Assembler.assemble("ldxdw %r1, [%r10-8]\nlddw %r2, 5\nexit"))
        #expect(
            listing == """
                   0:\t79 a1 f8 ff 00 00 00 00\tr1 = *(u64 *)(r10 - 0x8)
                   1:\t18 02 00 00 05 00 00 00 00 00 00 00 00 00 00 00\tr2 = 0x5 ll
                   3:\t95 00 00 00 00 00 00 00\texit
                """)
    }

    /// Every conformance program survives assemble → disassemble (uBPF syntax) → assemble unchanged, and the
    /// llvm syntax gives one line per instruction without placeholders.
    @Test(.enabled(if: ConformanceFile.testsRun, ConformanceFile.whereToGetThem))
    func roundTripAllConformancePrograms() throws {
        let files = try ConformanceFile.all(in: "tests")
        #expect(files.count == 313)
        for file in files {
            let original = try Assembler.assemble(file.asm ?? "")
            let text = Disassembler(syntax: .ubpf).disassemble(original).map(\.text).joined(separator: "\n")
            let again = try Assembler.assemble(text)
            #expect(again == original, "\(file.name)")
            let llvmText = Disassembler().disassemble(original).map(\.text)
            #expect(!llvmText.contains { $0.contains("?") || $0 == "<unknown>" }, "\(file.name)")
        }
    }
}
