import BPFObject
import BPFVerifier
import Testing

/// Our verdicts against the kernel's, as recorded by the VM check in `Tests/VerifierCorpus/kernel-verdicts.txt`
/// (refresh with `Tests/VerifierCorpus/record-kernel-verdicts`).
@Suite struct CorpusTests {
    static let entries = (try? Corpus.entries()) ?? []
    static let recorded = (try? Corpus.recordedVerdicts()) ?? [:]

    @Test("the corpus is built and every program has a recorded kernel verdict")
    func everyProgramHasARecordedVerdict() throws {
        _ = try Corpus.entries()
        _ = try Corpus.recordedVerdicts()
        #expect(Self.entries.count >= 80)
        let missing = Self.entries.map(\.name).filter { Self.recorded[$0] == nil }
        #expect(missing.isEmpty, "no recorded kernel verdict for \(missing): run Tests/VerifierCorpus/record-kernel-verdicts")
        let stale = Set(Self.recorded.keys).subtracting(Self.entries.map(\.name))
        #expect(stale.isEmpty, "recorded verdicts for programs no longer in the corpus: \(stale.sorted())")
    }

    @Test("our verdict equals the kernel's", arguments: entries.map(\.name))
    func oursEqualsTheKernels(_ name: String) throws {
        let entry = try #require(Self.entries.first { $0.name == name })
        let kernel = try #require(Self.recorded[name], "no recorded kernel verdict for \(name)")
        guard kernel.verdict != "loader" else { return }  // our loader refuses the object before any verifier runs
        let ours = Verifier().verify(object: entry.object, program: entry.program)
        #expect(ours.summary == kernel.verdict, "kernel: \(kernel.verdict) \(kernel.message); ours: \(ours)")
    }
}
