// swift-tools-version: 6.2
import PackageDescription

// Layers (each imports only layers below it):
//   CUringShim (C: syscalls, ring barriers)
//   Uring (io_uring) · BPF (ISA, assembler, interpreter)
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
        .library(name: "BPFVerifier", targets: ["BPFVerifier"]),
        .executable(name: "uring-bpf", targets: ["uring-bpf"]),
        .executable(name: "bpf-conformance-plugin", targets: ["bpf-conformance-plugin"]),
        .executable(name: "async-loop-example", targets: ["async-loop-example"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
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
        // Example loop programs (Examples/programs/*.bpf.c) and the authors' header
        // (Examples/include/uring_bpf.h), compiled by BPFCompilerPlugin and embedded.
        .target(
            name: "UringBPFExamples",
            path: "Examples",
            exclude: ["programs", "include", "README.md", "swift"],
            plugins: ["BPFCompilerPlugin"]
        ),
        .plugin(name: "BPFCompilerPlugin", capability: .buildTool()),
        .target(name: "BPFKernel", dependencies: ["CUringShim", "SystemSupport", "BPF", "BPFObject", system]),
        // A static verifier with the Linux verifier's load-time verdicts for loop programs.
        .target(name: "BPFVerifier", dependencies: ["BPF", "BPFObject"], exclude: ["README-section.md"]),
        .target(name: "UringBPF", dependencies: ["SystemSupport", "Uring", "BPF", "BPFObject", "BPFKernel", system]),

        .executableTarget(
            name: "uring-bpf",
            dependencies: [
                "Uring", "BPF", "BPFObject", "BPFKernel", "UringBPF", "CReference", "UringBPFExamples", "BPFVerifier",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "bpf-conformance-plugin", dependencies: ["BPF"]),
        // A Swift program using the async API with cancellation and a timeout (run in CI).
        .executableTarget(
            name: "async-loop-example", dependencies: ["UringBPF", "BPFObject", "UringBPFExamples"],
            path: "Examples/swift"),

        .testTarget(name: "UringTests", dependencies: ["Uring"]),
        .testTarget(name: "BPFTests", dependencies: ["BPF"]),
        .testTarget(
            name: "BPFObjectTests",
            dependencies: ["BPF", "BPFObject", "UringBPFExamples"],
            exclude: ["Programs", "Fixtures"],
            plugins: ["BPFCompilerPlugin"]
        ),
        .testTarget(
            name: "BPFKernelTests",
            dependencies: ["BPF", "BPFKernel", "BPFObject", "SystemSupport", "Uring", "UringBPFExamples"],
            exclude: ["Programs"],
            plugins: ["BPFCompilerPlugin"]
        ),
        .testTarget(
            name: "UringBPFTests",
            dependencies: ["UringBPF", "Uring", "BPF", "BPFObject", "UringBPFExamples", "uring-bpf"],
            exclude: ["Programs"],
            plugins: ["BPFCompilerPlugin"]
        ),
        // The differential corpus (Tests/VerifierCorpus/*.bpf.c, built by the plugin) against recorded kernel verdicts.
        .testTarget(
            name: "BPFVerifierTests",
            dependencies: ["BPF", "BPFObject", "BPFVerifier", "BPFKernel", "SystemSupport", "UringBPFExamples", "uring-bpf"],
            exclude: ["Programs"],
            plugins: ["BPFCompilerPlugin"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
