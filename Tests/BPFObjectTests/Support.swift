import BPFObject
import Foundation
import Testing
import UringBPFExamples

/// Objects under test: the shipped examples and this target's test programs,
/// all compiled by BPFCompilerPlugin during the build.
enum Objects {
    static func example(_ name: String) throws -> ObjectFile {
        let example = try #require(UringBPFExamples.named(name), "example \(name) was not built")
        return try ObjectFile(bytes: example.bytes)
    }

    static func testProgram(_ name: String) throws -> ObjectFile {
        let built = try #require(BuiltBPFObjects.all.first { $0.name == name }, "test program \(name) was not built")
        return try ObjectFile(bytes: built.bytes)
    }

    /// Every built object's bytes, by name.
    static var allBytes: [(name: String, bytes: [UInt8])] {
        UringBPFExamples.all.map { ($0.name, $0.bytes) } + BuiltBPFObjects.all.map { ($0.name, $0.bytes) }
    }

    /// The package's root directory (this file is Tests/BPFObjectTests/Support.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The 1-based line of example `example`'s source that contains `text`.
    static func line(of text: String, inSourceOf example: String) throws -> Int {
        let path = packageRoot.appendingPathComponent("Programs/UringBPFExamples/\(example).bpf.c").path
        let source = try String(contentsOfFile: path, encoding: .utf8)
        let lines = source.components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.contains(text) }, "'\(text)' not in \(path)")
        return index + 1
    }
}

/// A small deterministic generator (SplitMix64) so fuzz runs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
