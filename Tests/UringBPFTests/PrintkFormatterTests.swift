import Testing
@testable import UringBPF

@Suite("bpf_printk formatting")
struct PrintkFormatterTests {
    let formatter = PrintkFormatter(readString: { address in address == 0x1000 ? "hello" : nil })

    func format(_ s: String, _ args: [UInt64]) throws -> String {
        try formatter.format(Array(s.utf8) + [0], arguments: args)
    }

    @Test func integersUseTheirLengthModifier() throws {
        #expect(try format("%d %u %x", [UInt64(bitPattern: -5), 0xFFFF_FFFF, 255]) == "-5 4294967295 ff")
        #expect(try format("%lld %llu", [UInt64(bitPattern: -5), UInt64.max]) == "-5 18446744073709551615")
        // A 32-bit conversion sees only the low half, like the kernel.
        #expect(try format("%d", [0x1_0000_0007]) == "7")
    }

    @Test func widthsAndFlags() throws {
        #expect(try format("[%5d|%-4x|%05d]", [42, 10, UInt64(bitPattern: -42)]) == "[   42|a   |-0042]")
    }

    @Test("a width from the program is capped at the kernel's 1023-character buffer, however many digits it has")
    func hugeWidths() throws {
        #expect(try format("%99999999999999999999999999d", [7]) == String(repeating: " ", count: 1022) + "7")
        #expect(try format("%-2000s|", [0x1000]).count == 1024)
    }

    @Test func stringsComeFromProgramMemory() throws {
        #expect(try format("%s!", [0x1000]) == "hello!")
        #expect(try format("%s", [0]) == "(null)")
        #expect(try format("%s", [0x2000]) == "(efault)")
    }

    @Test func percentAndPointers() throws {
        #expect(try format("100%% %p", [0xdead]) == "100% 0xdead")
    }

    @Test func formatStopsAtNul() throws {
        #expect(try formatter.format(Array("a%d\0%d".utf8), arguments: [1]) == "a1")
    }

    @Test func badFormatsAreRefused() {
        #expect(throws: PrintkFormatter.FormatError.self) { try format("%d %d", [1]) }
        #expect(throws: PrintkFormatter.FormatError.self) { try format("%q", [1]) }
        #expect(throws: PrintkFormatter.FormatError.self) { try format("%", []) }
    }
}
