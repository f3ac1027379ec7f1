import BPF
import Foundation

/// One bpf_conformance `.data` test file (format in ../shared/docs/bpf-conformance.md).
struct ConformanceFile {
    var name: String
    var asm: String?
    var raw: [Instruction]?
    var memory: [UInt8] = []
    var result: UInt64?
    var error: String?

    /// `../shared/conformance` next to the repository, or `$BPF_CONFORMANCE_DIR`.
    static let root = ProcessInfo.processInfo.environment["BPF_CONFORMANCE_DIR"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/conformance")

    static func all(in directory: String) throws -> [ConformanceFile] {
        let dir = root.appendingPathComponent(directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".data") }
        return try names.sorted().map { name in
            try ConformanceFile(name: name, text: String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8))
        }
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
