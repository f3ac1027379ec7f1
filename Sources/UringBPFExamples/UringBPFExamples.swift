/// The example loop programs, `Programs/UringBPFExamples/*.bpf.c`, compiled by the package build
/// (BPFCompilerPlugin). Each also has its generated enum with typed names: ``NopsSeq``, ``NopsQd``, ``ReadOpen``,
/// ``CopyFile``, ``Slurp`` (with ``SlurpJob``), ``CopyDeep`` (with ``CopyDeepJob``).
public enum UringBPFExamples {
    /// One compiled example.
    public struct Example: Sendable {
        /// Base name, e.g. "nops_qd" for `nops_qd.bpf.c`.
        public let name: String
        /// The object file's bytes (embedded in this module at build time).
        public let bytes: [UInt8]
        /// The C source's file name, e.g. `nops_qd.bpf.c`.
        public var sourceFile: String { name + ".bpf.c" }
    }

    /// Every example, sorted by name.
    public static let all: [Example] = BuiltBPFObjects.all.map { Example(name: $0.name, bytes: $0.bytes) }

    /// The example called `name` (e.g. "copy_file").
    public static func named(_ name: String) -> Example? { all.first { $0.name == name } }
}
