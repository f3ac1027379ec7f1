import BPF
import Foundation
import Testing

/// One bpf_conformance `.data` test file (`-- asm`, `-- raw`, `-- mem`, `-- result`, `-- error` sections).
struct ConformanceFile {
    var name: String
    var asm: String?
    var raw: [Instruction]?
    var memory: [UInt8] = []
    var result: UInt64?
    var error: String?

    /// Where the bpf_conformance vectors are: `$URING_BPF_CONFORMANCE_DIR`, else `../shared/conformance` beside the
    /// repository; nil when neither exists (a fresh clone).
    static let root: URL? = {
        let given = ProcessInfo.processInfo.environment["URING_BPF_CONFORMANCE_DIR"].map { URL(fileURLWithPath: $0) }
        let beside = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/conformance")
        return [given, beside].compactMap { $0 }.first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("tests").path)
        }
    }()

    /// CI sets URING_BPF_REQUIRE_CONFORMANCE=1: missing vectors then fail the tests instead of skipping them.
    static let isRequired = ProcessInfo.processInfo.environment["URING_BPF_REQUIRE_CONFORMANCE"] == "1"

    /// Whether the tests that need the vectors run: they are here, or they are required (and fail without them).
    static let testsRun = root != nil || isRequired

    /// Why those tests are skipped, and where to get the vectors.
    static let whereToGetThem: Comment = """
        the bpf_conformance vectors are not here: clone https://github.com/Alan-Jowett/bpf_conformance (the tests \
        expect commit f558566280d8) and set URING_BPF_CONFORMANCE_DIR to the clone (the folder holding tests/ and \
        negative/), or put that folder at ../shared/conformance beside this repository
        """

    /// Every `.data` file of `directory` ("tests" or "negative").
    static func all(in directory: String) throws -> [ConformanceFile] {
        guard let root else { throw MissingVectors() }
        let dir = root.appendingPathComponent(directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".data") }
        return try names.sorted().map { name in
            try ConformanceFile(name: name, text: String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8))
        }
    }

    struct MissingVectors: Error, CustomStringConvertible {
        var description: String { ConformanceFile.whereToGetThem.rawValue }
    }

    init(name: String, text: String) throws {
        self.name = name
        var section = ""
        var lines: [String: [String]] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") {
                let keyword = trimmed.dropFirst(2).trimmingCharacters(in: .whitespaces)
                section = ["asm", "result", "mem", "raw", "error"].first { keyword.hasPrefix($0) } ?? "ignored"
                continue
            }
            lines[section, default: []].append(String(line))
        }
        func content(_ key: String) -> [String] {
            (lines[key] ?? []).map { l in
                String(l.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                    .trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
        }
        if lines["asm"] != nil { asm = (lines["asm"] ?? []).joined(separator: "\n") }
        let memTokens = content("mem").flatMap { $0.split(separator: " ") }
        memory = memTokens.compactMap { UInt8($0, radix: 16) }
        if let r = content("result").first {
            result = r.hasPrefix("0x") ? UInt64(r.dropFirst(2), radix: 16) : UInt64(r)
        }
        if lines["error"] != nil { error = content("error").joined(separator: "\n") }
        let rawLines = content("raw")
        if !rawLines.isEmpty {
            var words: [Instruction] = []
            for l in rawLines {
                let tokens = l.split(separator: " ")
                if tokens.count == 8 {
                    let bytes = tokens.compactMap { UInt8($0, radix: 16) }
                    words += try Instruction.decode(bytes)
                } else if l.hasPrefix("0x"), let w = UInt64(l.dropFirst(2), radix: 16) {
                    words.append(Instruction(encoded: w))
                } else if let w = UInt64(l) {
                    words.append(Instruction(encoded: w))
                }
            }
            raw = words
        }
    }
}
