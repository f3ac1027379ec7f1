import ArgumentParser

/// `uring-bpf bench …`: side-by-side benchmarks reported as ratios.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks, measured side by side in one run.",
        subcommands: [
            // One line per benchmark; each lives in its own file.
            BenchRingCommand.self,
            BenchVMCommand.self,
            BenchNopsCommand.self,
            BenchFilesCommand.self,
            BenchCopyCommand.self,
            BenchEchoCommand.self,
        ]
    )
}
