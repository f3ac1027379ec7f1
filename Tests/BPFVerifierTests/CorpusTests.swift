import BPFObject
import BPFVerifier
import Testing

/// Our verdicts against the kernel's, as recorded by the VM check in `Tests/VerifierCorpus/kernel-verdicts.txt`.
@Suite struct CorpusTests {
    @Test("every corpus program has a recorded kernel verdict, and ours equals it")
    func oursEqualsRecorded() throws {
        let recorded = try Corpus.recordedVerdicts()
        var disagreements: [String] = []
        for entry in try Corpus.entries() {
            let kernel = try #require(recorded[entry.name], "no recorded kernel verdict for \(entry.name): run record-kernel-verdicts")
            guard kernel.verdict != "loader" else { continue }
            let ours = Verifier().verify(object: entry.object, program: entry.program)
            if ours.summary != kernel.verdict {
                disagreements.append("\(entry.name): kernel \(kernel.verdict) (\(kernel.message)), ours \(ours)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements:\n\(disagreements.joined(separator: "\n"))")
    }
}
