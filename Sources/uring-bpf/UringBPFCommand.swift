import ArgumentParser
import Foundation

/// `uring-bpf`: probe a machine, run, trace, disassemble and benchmark
/// BPF-controlled io_uring loop programs.
@main
struct UringBPFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uring-bpf",
        abstract: "BPF-controlled io_uring for Swift: probe, run, objdump and bench loop programs.",
        discussion: ExitStatus.documentation,
        subcommands: [
            // One line per subcommand; each lives in its own file.
            ProbeCommand.self,
            BenchCommand.self,
            ObjdumpCommand.self,
            RunCommand.self,
            DemoCommand.self,
            ExecCommand.self,
            VerifyCommand.self,
            ServeEchoCommand.self,
        ]
    )

    /// ArgumentParser's `main`, with the exit statuses of ``ExitStatus`` and a warning before a debug build's
    /// benchmark.
    static func main() {
        do {
            var command = try parseAsRoot()
            if BenchCommand.configuration.subcommands.contains(where: { $0 == type(of: command) }) {
                warnIfDebugBuild()
            }
            try command.run()
        } catch {
            guard let status = ExitStatus.of(error) else { exit(withError: error) }
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            exit(withError: ExitCode(status))
        }
    }

    private static func warnIfDebugBuild() {
        #if DEBUG
        FileHandle.standardError.write(Data("""
            warning: this is a debug build: its figures mean nothing (unoptimized code, runtime checks). \
            Measure with `swift run -c release uring-bpf bench ...`.

            """.utf8))
        #endif
    }
}
