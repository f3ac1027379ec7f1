import BPFObject
import Foundation
import Testing
import UringBPF

/// The loop programs of `Programs/UringBPFTests/*.bpf.c`, compiled by
/// BPFCompilerPlugin during the build. Each program's header comment states
/// its globals, the runner settings it needs and its expected outcome.
enum LoopTestPrograms {
    /// Every program this target builds, by base name ("bpf_nops", "maps", ...).
    static var names: [String] { BuiltBPFObjects.all.map(\.name) }

    /// The built program `name`, or a test failure if it was not built.
    static func built(_ name: String) throws -> BuiltBPFObject {
        try #require(BuiltBPFObjects.all.first { $0.name == name }, "loop test program \(name) was not built")
    }

    /// The object file's bytes.
    static func bytes(_ name: String) throws -> [UInt8] { try built(name).bytes }

    /// The parsed object.
    static func object(_ name: String) throws -> ObjectFile { try ObjectFile(bytes: bytes(name)) }

    /// The 1-based source line of program `name` whose code contains `text` (e.g. a marker comment such as
    /// "OOB-READ" in out_of_bounds.bpf.c), found through the object's BTF line info, which carries the source
    /// text, so no source file is needed (the VM guest has none).
    static func line(of text: String, in name: String) throws -> Int {
        let object = try object(name)
        for program in object.programs {
            for index in program.instructions.indices {
                if let location = program.sourceLocation(at: index), location.source.contains(text) {
                    return location.line
                }
            }
        }
        Issue.record("'\(text)' is in no line of \(name)'s line info")
        throw LoopError(.badArgument, "no line with \(text)")
    }

    /// Bytes of the kernel's CQ ("rings") region for a ring created with
    /// NO_SQARRAY and 16-byte CQEs: PAGE_ALIGN(ALIGN(64 + 16 * cqEntries, 64)).
    /// What regions.bpf.c needs in `cq_region_bytes`.
    static func cqRegionBytes(cqEntries: Int, pageSize: Int = 4096) -> Int {
        let rings = (64 + 16 * cqEntries + 63) / 64 * 64
        return (rings + pageSize - 1) / pageSize * pageSize
    }
}
