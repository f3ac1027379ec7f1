import SystemPackage
import SystemSupport
import BPFObject
import BPFVerifier
import Testing

/// Bad input gets a verdict, never a crash: corpus programs with random bytes of their code changed (opcodes,
/// registers, offsets, immediates) are verified with a small instruction budget.
@Suite struct MalformedProgramTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    @Test("mutated programs get a verdict with a known errno")
    func mutatedProgramsGetAVerdict() throws {
        var random = SplitMix(state: 0x5eed_0001)
        var options = VerifierOptions()
        options.instructionLimit = 20_000
        options.logLevel = .verbose
        let verifier = Verifier(options: options)
        let sources = BuiltBPFObjects.all.filter { !$0.name.hasPrefix("bpfobject_") }
        var verified = 0
        for round in 0..<400 {
            let built = sources[Int(random.next() % UInt64(sources.count))]
            var bytes = built.bytes
            let object = try ObjectFile(bytes: bytes)
            let code = object.elf.sections.filter { $0.isExecutable && $0.size >= 8 && $0.name != ".text" }
            guard let section = code.first else { continue }
            for _ in 0..<(1 + random.next() % 4) {
                let at = section.offset + Int(random.next() % UInt64(section.size))
                bytes[at] = UInt8(truncatingIfNeeded: random.next())
            }
            guard let mutated = try? ObjectFile(bytes: bytes) else { continue }
            for program in mutated.programs {
                let verdict = verifier.verify(object: mutated, program: program)
                if let rejection = verdict.rejection {
                    #expect(
                        [Errno.permissionDenied, .invalidArgument, .argListTooLong, .badAddress].contains(rejection.errno),
                        "round \(round), \(built.name): \(rejection)")
                    #expect(!rejection.reason.isEmpty && !rejection.kernelMessage.isEmpty)
                }
                verified += 1
            }
        }
        #expect(verified > 200)
    }
}
