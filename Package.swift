// swift-tools-version: 6.2
import PackageDescription

// Layers (each imports only layers below it):
//   CUringShim (C: syscalls, ring barriers)
//   Uring (io_uring) · BPF (ISA, assembler, interpreter)
//   BPFJIT (the x86-64 JIT; ProgramRunner runs a program on the JIT or the interpreter)
//   BPFObject (ELF/BTF object files; no syscalls)
//   BPFKernel (the bpf() loader)
//   UringBPF (the loop: kernel and userspace modes)
//   uring-bpf (CLI)
let system = Target.Dependency.product(name: "SystemPackage", package: "swift-system")

let package = Package(
    name: "uring-bpf",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SystemSupport", targets: ["SystemSupport"]),
        .library(name: "Uring", targets: ["Uring"]),
        .library(name: "BPF", targets: ["BPF"]),
        .library(name: "BPFObject", targets: ["BPFObject"]),
        .library(name: "BPFKernel", targets: ["BPFKernel"]),
        .library(name: "UringBPF", targets: ["UringBPF"]),
        .library(name: "BPFJIT", targets: ["BPFJIT"]),
        .library(name: "BPFVerifier", targets: ["BPFVerifier"]),
        .executable(name: "uring-bpf", targets: ["uring-bpf"]),
        .executable(name: "bpf-conformance-plugin", targets: ["bpf-conformance-plugin"]),
        .executable(name: "async-loop-example", targets: ["async-loop-example"]),
        // Compiles a target's Programs/TARGET/*.bpf.c and generates typed Swift accessors for them.
        .plugin(name: "BPFCompilerPlugin", targets: ["BPFCompilerPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // `swift package generate-documentation` (Scripts/docs/build); used by no target.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The only C in the library: raw syscalls and ring-index barriers.
        .target(name: "CUringShim"),
        // C reference loops for benchmarks (raw syscalls, no liburing). Not used by the library.
        .target(name: "CReference"),

        // What every layer shares: errno names.
        .target(name: "SystemSupport", dependencies: [system]),
        .target(name: "Uring", dependencies: ["CUringShim", "SystemSupport", system]),
        .target(name: "BPF"),
        .target(name: "BPFObject", dependencies: ["BPF"]),
        // The x86-64 JIT, with the interpreter's semantics; ProgramRunner picks the engine.
        .target(name: "BPFJIT", dependencies: ["BPF"]),
        // Random programs run on both engines and compared (swift test and Fuzz/jit-differential). Not a product.
        .target(name: "BPFProgramGenerator", dependencies: ["BPF", "BPFJIT"]),
        // The example loop programs (Programs/UringBPFExamples/*.bpf.c), compiled by BPFCompilerPlugin and embedded.
        .target(name: "UringBPFExamples", dependencies: ["BPFObject", "UringBPF"], plugins: ["BPFCompilerPlugin"]),
        // BPFCompilerPlugin compiles each Programs/TARGET/*.bpf.c with clang against Examples/include/uring_bpf.h;
        // bpf2swift turns each object into Swift (its bytes, typed names for its globals, maps and programs).
        .plugin(name: "BPFCompilerPlugin", capability: .buildTool(), dependencies: ["bpf2swift"]),
        .executableTarget(name: "bpf2swift", dependencies: ["BPFObject"]),
        .target(name: "BPFKernel", dependencies: ["CUringShim", "SystemSupport", "BPF", "BPFObject", system]),
        // A static verifier with the Linux verifier's load-time verdicts for loop programs.
        .target(name: "BPFVerifier", dependencies: ["BPF", "BPFObject", "SystemSupport", system]),
        .target(name: "UringBPF", dependencies: ["SystemSupport", "Uring", "BPF", "BPFJIT", "BPFObject", "BPFKernel", "BPFVerifier", system]),

        .executableTarget(
            name: "uring-bpf",
            dependencies: [
                "Uring", "BPF", "BPFObject", "BPFKernel", "UringBPF", "CReference", "UringBPFExamples", "BPFJIT",
                "BPFVerifier",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "bpf-conformance-plugin", dependencies: ["BPF", "BPFJIT"]),
        // A Swift program using the async API with cancellation and a timeout (run in CI).
        .executableTarget(
            name: "async-loop-example", dependencies: ["UringBPF", "BPFObject", "UringBPFExamples"],
            path: "Examples/swift"),

        .testTarget(name: "UringTests", dependencies: ["Uring"]),
        .testTarget(name: "BPFTests", dependencies: ["BPF"]),
        .testTarget(name: "BPFJITTests", dependencies: ["BPF", "BPFJIT", "BPFProgramGenerator"]),
        .testTarget(
            name: "BPFObjectTests",
            dependencies: ["BPF", "BPFObject", "UringBPF", "UringBPFExamples"],
            exclude: ["Fixtures"],
            plugins: ["BPFCompilerPlugin"]
        ),
        .testTarget(
            name: "BPFKernelTests",
            dependencies: ["BPF", "BPFKernel", "BPFObject", "SystemSupport", "Uring", "UringBPF", "UringBPFExamples"],
            plugins: ["BPFCompilerPlugin"]
        ),
        .testTarget(
            name: "UringBPFTests",
            dependencies: ["UringBPF", "Uring", "BPF", "BPFObject", "UringBPFExamples", "uring-bpf"],
            plugins: ["BPFCompilerPlugin"]
        ),
        // The differential corpus (Tests/VerifierCorpus/*.bpf.c, which Programs/BPFVerifierTests links to) against
        // recorded kernel verdicts.
        .testTarget(
            name: "BPFVerifierTests",
            dependencies: [
                "BPF", "BPFObject", "BPFVerifier", "BPFKernel", "SystemSupport", "UringBPF", "UringBPFExamples", "uring-bpf",
            ],
            plugins: ["BPFCompilerPlugin"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
