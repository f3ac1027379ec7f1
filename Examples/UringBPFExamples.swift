/// The example loop programs shipped in `Examples/programs/*.bpf.c`, compiled
/// by the package build (BPFCompilerPlugin) with the toolchain's clang.
public enum UringBPFExamples {
    /// One compiled example.
    public struct Example: Sendable {
        /// Base name, e.g. "nops_qd" for `nops_qd.bpf.c`.
        public let name: String
        /// Path of the C source in the package.
        public let sourcePath: String
        /// Path of the compiled object inside the build directory.
        public let objectPath: String
        /// The object file's bytes (embedded in this module at build time).
        public var bytes: [UInt8] { built.bytes }
        let built: BuiltBPFObject
    }

    /// Every example, sorted by name.
    public static var all: [Example] {
        BuiltBPFObjects.all.map { Example(name: $0.name, sourcePath: $0.sourcePath, objectPath: $0.objectPath, built: $0) }
    }

    /// The example called `name` (e.g. "copy_file").
    public static func named(_ name: String) -> Example? { all.first { $0.name == name } }
}
