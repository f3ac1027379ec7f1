import BPFObject
import BPFVerifier
import Foundation
import UringBPFExamples

/// The differential corpus: every program built from `Tests/VerifierCorpus/*.bpf.c` (rule programs and links to the
/// other targets' test programs) and every shipped example, each with the kernel's recorded verdict.
enum Corpus {
    /// One program of the corpus.
    struct Entry: Sendable {
        /// `object` for single-program objects, `object:program` otherwise; the key in `kernel-verdicts.txt`.
        let name: String
        let object: ObjectFile
        let program: ObjectProgram
        /// The object the program is part of (the kernel loads whole objects).
        let objectName: String
    }

    /// Every object of the corpus, by name: corpus programs first, then the examples (`example_NAME`).
    static func objects() throws -> [(name: String, object: ObjectFile)] {
        let corpus = try BuiltBPFObjects.all.map { ($0.name, try ObjectFile(bytes: $0.bytes)) }
        let examples = try UringBPFExamples.all.map { ("example_" + $0.name, try ObjectFile(bytes: $0.bytes)) }
        return corpus + examples
    }

    /// Every program of the corpus.
    static func entries() throws -> [Entry] {
        try objects().flatMap { name, object in
            object.programs.map { program in
                Entry(
                    name: object.programs.count == 1 ? name : "\(name):\(program.name)", object: object,
                    program: program, objectName: name)
            }
        }
    }

    /// `Tests/VerifierCorpus/kernel-verdicts.txt`, written by `Tests/VerifierCorpus/record-kernel-verdicts` from the
    /// VM check's table.
    static let verdictsFile = URL(filePath: #filePath).deletingLastPathComponent()
        .appending(path: "../VerifierCorpus/kernel-verdicts.txt").standardized

    /// A recorded kernel verdict: `accepted`, an errno name, or `loader` when our loader refuses the object before
    /// the kernel's verifier sees it; with the kernel's message.
    struct RecordedVerdict: Sendable {
        let verdict: String
        let message: String
    }

    /// The recorded verdicts by entry name.
    static func recordedVerdicts() throws -> [String: RecordedVerdict] {
        let text = try String(contentsOf: verdictsFile, encoding: .utf8)
        var result: [String: RecordedVerdict] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard fields.count >= 2 else { continue }
            let message = fields.count == 3 ? fields[2].trimmingCharacters(in: .whitespaces) : ""
            result[String(fields[0])] = RecordedVerdict(verdict: String(fields[1]), message: message)
        }
        return result
    }
}
