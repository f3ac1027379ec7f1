// swift-tools-version: 6.2
import PackageDescription

// A package that uses uring-bpf the way any other package would: it depends on the repository (here by path),
// writes its own loop program (Programs/Consumer/tally.bpf.c, compiled by BPFCompilerPlugin) and runs it with
// UringLoop through the names the plugin generates (Tally.Globals, Tally.Maps).
let package = Package(
    name: "consumer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "uring-bpf", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "Consumer",
            dependencies: [
                .product(name: "UringBPF", package: "uring-bpf"),
                .product(name: "BPFObject", package: "uring-bpf"),
            ],
            plugins: [.plugin(name: "BPFCompilerPlugin", package: "uring-bpf")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
