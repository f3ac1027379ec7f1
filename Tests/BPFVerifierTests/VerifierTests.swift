import BPFObject
import BPFVerifier
import Foundation
import Testing
import UringBPFExamples

/// What a user of the verifier relies on beyond the verdicts: where and why a program is refused, the effect of
/// global data set before load, the log levels.
@Suite struct VerifierTests {
    static func corpusObject(_ name: String) throws -> ObjectFile {
        let built = try #require(BuiltBPFObjects.all.first { $0.name == name }, "corpus program \(name) was not built")
        return try ObjectFile(bytes: built.bytes)
    }

    /// The source line (from the object's BTF line info) of the first instruction whose source contains `text`.
    static func line(of text: String, in name: String) throws -> Int {
        let object = try corpusObject(name)
        let lines = object.programs.flatMap(\.lineInfo)
        return try #require(lines.first { $0.source.contains(text) }, "no line info with '\(text)'").line
    }

    @Test("every shipped example is accepted")
    func examplesAreAccepted() throws {
        for example in UringBPFExamples.all {
            let object = try ObjectFile(bytes: example.bytes)
            for verdict in Verifier().verify(object: object) {
                #expect(verdict.isAccepted, "\(example.name): \(verdict)")
                #expect(verdict.statistics.processedInstructions > 0)
            }
        }
    }

    @Test("a rejection says why first, then the instruction, the registers and the source line")
    func rejectionNamesInstructionRegistersAndSourceLine() throws {
        let object = try Self.corpusObject("region_null_unchecked")
        let verdict = Verifier().verify(object: object, program: object.programs[0])
        let rejection = try #require(verdict.rejection)
        #expect(rejection.errno == .permissionDenied)
        #expect(verdict.summary == "EACCES")
        #expect(rejection.kernelMessage == "R0 invalid mem access 'mem_or_null'")
        #expect(rejection.reason.contains("NULL"))
        let location = try #require(rejection.sourceLocation)
        #expect(location.file.hasSuffix("region_null_unchecked.bpf.c"))
        #expect(location.line == (try Self.line(of: "p[0] = 1;", in: "region_null_unchecked")))
        let index = try #require(rejection.instructionIndex)
        #expect(object.programs[0].instructions[index].opcode & 0x07 == 0x02 || object.programs[0].instructions[index].opcode & 0x07 == 0x03)
        #expect(rejection.registers.contains { $0.hasPrefix("R0=mem_or_null") })
        let lines = rejection.description.split(separator: "\n").map(String.init)
        #expect(lines.first == rejection.reason)
        #expect(lines.contains { $0.contains("region_null_unchecked.bpf.c:\(location.line)") })
    }

    @Test("a non-constant region size is refused at the call with EINVAL")
    func regionSizeMustBeConstant() throws {
        let object = try Self.corpusObject("region_size_from_bss")
        let rejection = try #require(Verifier().verify(object: object, program: object.programs[0]).rejection)
        #expect(rejection.errno == .invalidArgument)
        #expect(rejection.kernelMessage == "R3 is not a const")
        #expect(rejection.sourceLocation?.source.contains("bpf_io_uring_get_region") == true)
    }

    @Test(".rodata set before load is what the verifier reads: a larger cq_entries makes the region larger")
    func globalDataChangesTheVerdict() throws {
        let object = try Self.corpusObject("region_rodata_size_exceeded")
        let program = object.programs[0]
        #expect(!Verifier().verify(object: object, program: program).isAccepted)

        let data = try #require(object.globalData(".rodata"))
        let variable = try #require(data.variable(named: "cq_entries"))
        var image = data.initialBytes
        image.replaceSubrange(variable.offset..<variable.offset + 4, with: [17, 0, 0, 0])  // 64 + 16 * 17 = 336 bytes
        var options = VerifierOptions()
        options.globalData = [".rodata": image]
        let verdict = Verifier(options: options).verify(object: object, program: program)
        #expect(verdict.isAccepted, "\(verdict)")
    }

    @Test("log levels: none is empty, 1 has the failing path and the kernel's message, 2 every instruction")
    func logLevels() throws {
        let object = try Self.corpusObject("region_null_unchecked")
        var options = VerifierOptions()
        options.logLevel = .none
        #expect(Verifier(options: options).verify(object: object, program: object.programs[0]).log.isEmpty)

        options.logLevel = .errors
        let errors = Verifier(options: options).verify(object: object, program: object.programs[0]).log
        #expect(errors.contains("R0 invalid mem access 'mem_or_null'"))
        #expect(errors.contains("region_null_unchecked.bpf.c:"))

        options.logLevel = .verbose
        let verbose = Verifier(options: options).verify(object: object, program: object.programs[0]).log
        let instructionLines = verbose.split(separator: "\n").filter { $0.first?.isNumber == true }
        #expect(instructionLines.count >= 5, "\(verbose)")
        #expect(verbose.contains("R0=mem_or_null"))
    }

    @Test("the complexity limit is an option: a lower limit rejects a long loop with E2BIG")
    func instructionLimit() throws {
        let object = try Self.corpusObject("loop_large_accepted")
        #expect(Verifier().verify(object: object, program: object.programs[0]).isAccepted)
        var options = VerifierOptions()
        options.instructionLimit = 10_000
        let rejection = try #require(Verifier(options: options).verify(object: object, program: object.programs[0]).rejection)
        #expect(rejection.errno == .argListTooLong)
        #expect(rejection.kernelMessage == "BPF program is too large. Processed 10001 insn")
    }
}
