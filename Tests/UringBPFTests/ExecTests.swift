import BPF
import BPFObject
import Foundation
import Testing
import UringBPFExamples

@Suite("Plain BPF functions run from Swift and from the CLI")
struct ExecTests {
    /// What checksum.bpf.c computes, in Swift.
    static func fletcher(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        var a = seed, b: UInt64 = 0
        for i in stride(from: 0, to: bytes.count, by: 4) {
            var word: UInt64 = 0
            for k in 0..<4 where i + k < bytes.count { word |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            a = (a + word) % 0xffff_ffff
            b = (b + a) % 0xffff_ffff
        }
        return b << 32 | a
    }

    @Test func aPlainFunctionRunsOverABufferWithItsGlobals() throws {
        let object = try ObjectFile(bytes: try #require(UringBPFExamples.named("checksum")).bytes)
        let function = try #require(object.function(named: "checksum"))
        let executable = try ExecutableProgram(function, of: object)
        let interpreter = Interpreter(program: executable.program, memory: executable.memory)
        var bytes = testBytes(1001)
        for _ in 0..<3 {
            let r0 = try bytes.withUnsafeMutableBytes { try interpreter.run(memory: $0) }
            #expect(r0 == Self.fletcher(bytes))
        }
        // The function counts its calls in .bss: the relocation points at the executable's own image.
        let bss = try #require(executable.sectionBytes(".bss"))
        #expect(bss.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } == 3)
        // Outside the buffer is outside its memory.
        #expect(throws: RuntimeError.self) { _ = try interpreter.run(UInt64(UInt(bitPattern: bytes.withUnsafeBytes { $0.baseAddress })), 16) }
    }

    @Test func execPrintsR0InstructionsAndTime() throws {
        let bytes = testBytes(4096)
        let path = try temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try cli(["exec", "checksum", "--mem-file", path, "--json"])
        #expect(status == 0, "\(output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect((json["r0"] as? NSNumber)?.uint64Value == Self.fletcher(bytes))
        #expect((json["instructions"] as? Int ?? 0) > 4096)
        #expect(json["nanoseconds"] != nil)
        let (_, text) = try cli(["exec", "checksum", "--mem-file", path])
        #expect(text.contains("checksum: r0 = \(Self.fletcher(bytes))"), "\(text)")
    }

    @Test func aLoopProgramIsNotAPlainFunction() throws {
        let (status, output) = try cli(["exec", "nops_seq"])
        #expect(status != 0)
        #expect(output.contains("the object has no function in .text"), "\(output)")
    }
}
