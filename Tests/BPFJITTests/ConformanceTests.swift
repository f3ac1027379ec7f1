import BPF
import BPFJIT
import Foundation
import Testing

/// Every bpf_conformance vector through the JIT, under the suite's contract (`ConformanceRun`): the expected
/// r0, and the interpreter's r0 and instruction count.
@Suite struct JITConformanceTests {
    /// `$URING_BPF_CONFORMANCE_DIR`, else `../shared/conformance` next to the repository.
    static let directory: URL? = {
        let candidates = [
            ProcessInfo.processInfo.environment["URING_BPF_CONFORMANCE_DIR"].map { URL(fileURLWithPath: $0) },
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/conformance"),
        ]
        return candidates.compactMap { $0 }.first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("tests").path)
        }
    }()

    static let vectors: [ConformanceVector] = directory.map { (try? ConformanceVector.all(in: $0)) ?? [] } ?? []

    @Test(.enabled(if: directory != nil, "no bpf_conformance vectors: set URING_BPF_CONFORMANCE_DIR or check out ../shared/conformance"))
    func allVectorsArePresent() {
        #expect(Self.vectors.count == 313)
    }

    @Test(.enabled(if: directory != nil, "no bpf_conformance vectors: set URING_BPF_CONFORMANCE_DIR or check out ../shared/conformance"),
          arguments: vectors)
    func vector(_ vector: ConformanceVector) throws {
        let program = try ConformanceRun.load(try Assembler.assemble(vector.asm))
        var counts: [ExecutionEngine: UInt64] = [:]
        var results: [ExecutionEngine: UInt64] = [:]
        for engine in ExecutionEngine.allCases {
            results[engine] = try ConformanceRun.run(memory: vector.memory) { map, r1, r2 throws(RuntimeError) in
                let runner = ProgramRunner(program: program, functions: ConformanceRun.functions, memory: map, engine: engine)
                #expect(runner.engine == engine, "\(runner.fallbackReason ?? "")")
                defer { counts[engine] = runner.instructionsExecuted }
                return try runner.run(r1, r2)
            }
        }
        #expect(results[.jit] == vector.result)
        #expect(results[.jit] == results[.interpreter])
        #expect(counts[.jit] == counts[.interpreter])
    }
}

/// A bpf_conformance `.data` file: `-- asm`, `-- mem` (hex bytes) and `-- result` (what r0 must be). (The
/// BPFTests target has a fuller parser, with `-- raw` and `-- error`.)
struct ConformanceVector: CustomTestStringConvertible, Sendable {
    var name: String
    var asm: String
    var memory: [UInt8]
    var result: UInt64

    var testDescription: String { name }

    static func all(in directory: URL) throws -> [ConformanceVector] {
        let tests = directory.appendingPathComponent("tests")
        return try FileManager.default.contentsOfDirectory(atPath: tests.path).filter { $0.hasSuffix(".data") }.sorted()
            .compactMap { name in
                try ConformanceVector(name: name, text: String(contentsOf: tests.appendingPathComponent(name), encoding: .utf8))
            }
    }

    /// nil for a file without `-- asm` or `-- result`.
    init?(name: String, text: String) {
        var sections: [String: [String]] = [:]
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") {
                current = trimmed.dropFirst(2).trimmingCharacters(in: .whitespaces)
                continue
            }
            let content = trimmed.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            sections[current, default: []].append(current == "asm" ? String(line) : String(content))
        }
        guard let asm = sections["asm"], let resultText = sections["result"]?.first(where: { !$0.isEmpty }) else {
            return nil
        }
        let r = resultText.trimmingCharacters(in: .whitespaces)
        guard let result = r.hasPrefix("0x") ? UInt64(r.dropFirst(2), radix: 16) : UInt64(r) else { return nil }
        self.name = name
        self.asm = asm.joined(separator: "\n")
        self.memory = (sections["mem"] ?? []).flatMap { $0.split(separator: " ") }.compactMap { UInt8($0, radix: 16) }
        self.result = result
    }
}
