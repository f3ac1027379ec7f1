import ArgumentParser

/// `uring-bpf`: probe a machine, run, trace, disassemble and benchmark
/// BPF-controlled io_uring loop programs.
@main
struct UringBPFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uring-bpf",
        abstract: "BPF-controlled io_uring for Swift: probe, run, objdump and bench loop programs.",
        subcommands: [
            // One line per subcommand; each lives in its own file.
            ProbeCommand.self,
            BenchCommand.self,
            ObjdumpCommand.self,
            RunCommand.self,
            DemoCommand.self,
            ExecCommand.self,
            VerifyCommand.self,
        ]
    )
}
