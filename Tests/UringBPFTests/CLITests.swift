#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SystemPackage
import Testing
import UringBPF

/// The `uring-bpf` executable built beside the test bundle.
let cliBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("uring-bpf").path

/// A process of the CLI (or of `/bin/sh` with the CLI on its PATH), with stdout and stderr captured in one file.
/// (posix_spawn, not Foundation's Process, which needs a socketpair the VM guest's kernel lacks.)
final class CLIProcess {
    let pid: pid_t
    private let outputPath: String

    /// Starts `uring-bpf ARGUMENTS`, or `sh -c SCRIPT` when `shell` is given. `environment` adds to ours;
    /// `stderr` replaces the captured standard error (a terminal, say).
    init(_ arguments: [String] = [], shell script: String? = nil, environment: [String: String] = [:],
         stderr: Int32? = nil) throws {
        outputPath = try temporaryFile()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_TRUNC, 0)
        posix_spawn_file_actions_adddup2(&actions, stderr ?? 1, 2)
        let executable = script == nil ? cliBinary : "/bin/sh"
        let argv = ([executable] + (script.map { ["-c", $0] } ?? arguments)).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var variables = ProcessInfo.processInfo.environment
        variables["PATH"] = URL(fileURLWithPath: cliBinary).deletingLastPathComponent().path + ":"
            + (variables["PATH"] ?? "/usr/bin:/bin")
        variables.merge(environment) { $1 }
        let envp = variables.map { strdup("\($0)=\($1)") } + [nil]
        defer { for p in envp { free(p) } }
        // A clean signal state, as from a shell: Swift Testing's threads block signals, and a child inherits that.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGALRM] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw LoopError(.runFailed, errno: Errno(rawValue: spawned), "posix_spawn \(executable)") }
        self.pid = pid
    }

    /// Waits for the process: its exit status (128 + N for signal N) and everything it printed. A process still
    /// running after `seconds` is killed (a test must not hang on a CLI that ignores what it was told).
    func wait(seconds: Double = 300) -> (status: Int32, output: String) {
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(seconds)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                Issue.record("uring-bpf (pid \(pid)) still ran after \(seconds) s: killed")
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                break
            }
            usleep(10_000)
        }
        let output = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        try? FileManager.default.removeItem(atPath: outputPath)
        return (status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    /// Waits (up to `seconds`) until one of the process's threads sleeps in io_uring_enter: a loop is running.
    func waitUntilInsideIoUringEnter(seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            for task in tasks {
                let syscall = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/syscall", encoding: .utf8)) ?? ""
                if syscall.hasPrefix("426 ") { return }  // io_uring_enter on x86_64
            }
            usleep(20_000)
        }
        Issue.record("uring-bpf never entered io_uring_enter")
    }
}

/// Runs `uring-bpf ARGUMENTS` to the end.
func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    try CLIProcess(arguments, environment: environment).wait()
}

/// A test program written to a temporary file, for `uring-bpf run PATH`.
func programFile(_ name: String) throws -> String {
    try temporaryFile(try LoopTestPrograms.bytes(name), suffix: ".bpf.o")
}

/// A temporary directory, removed by the caller.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "uring-bpf-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    return path
}

/// The repository's checkout, when the tests run in one (not in the VM guest, which has only the binaries).
let sourceTree: URL? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) ? root : nil
}()

@Suite("The uring-bpf CLI end to end")
struct CLITests {
    @Test func runPrintsTheResultStatisticsAndGlobalsAsJSON() throws {
        let (status, output) = try cli(["run", "nops_seq", "--set", "nr_nops=50", "--json"])
        #expect(status == 0, "\(output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(json["result"] as? Int == 0)
        #expect(json["mode"] as? String == (KernelLoopSupport.probe().available ? "kernel" : "user"))
        let globals = try #require(json["globals"] as? [[String: Any]])
        let completed = globals.first { $0["name"] as? String == "nops_completed" }
        #expect(completed?["value"] as? Int == 50)
        let statistics = try #require(json["statistics"] as? [String: Any])
        #expect(statistics["cqes_produced"] as? Int == 50)
    }

    @Test("--json: unsigned globals print unsigned, signed ones signed, the result as in the text, no \\/")
    func jsonMatchesTheText() throws {
        let path = try programFile("bad_return")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let set = ["--set", "in_path_addr=0xffffffffffffffff"]
        let (textStatus, text) = try cli(["run", "copy_file"] + set)
        let (jsonStatus, jsonText) = try cli(["run", "copy_file", "--json"] + set)
        // The program reports EINVAL in its global `error`: exit status 1.
        #expect(textStatus == 1 && jsonStatus == 1, "\(text)\n\(jsonText)")
        #expect(text.contains("Error: the program reported an error: error = -22"), "\(text)")
        #expect(text.contains(".bss in_path_addr = 18446744073709551615"), "\(text)")
        #expect(text.contains(".bss error = -22"), "\(text)")  // no output path: EINVAL, kept by the program
        #expect(jsonText.contains("\"value\" : 18446744073709551615"), "\(jsonText)")
        #expect(jsonText.contains("\"value\" : -22"), "\(jsonText)")

        // A failed run: the same result in both forms; a path prints with plain slashes.
        let (_, failedText) = try cli(["run", path])
        let (_, failedJSON) = try cli(["run", path, "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(failedJSON.utf8)) as? [String: Any])
        let result = try #require(json["result"] as? Int)
        #expect(result == -22)
        #expect(failedText.contains("result -EINVAL (\(result), "), "\(failedText)")
        #expect(json["program"] as? String == path)
        #expect(failedJSON.contains("\"program\" : \"\(path)\""), "\(failedJSON)")
        #expect(!failedJSON.contains("\\/"))
    }

    @Test func traceShowsEachStep() throws {
        let (status, output) = try cli(["run", "nops_seq", "--mode", "user", "--set", "nr_nops=2", "--trace"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("step 0:"))
        #expect(output.contains("sqe       NOP user_data=0x5e9001"))
        #expect(output.contains("reaped    user_data=0x5e9001 res=0"))
        #expect(output.contains("return STOP"))
        #expect(output.contains(".bss nops_completed = 2"))
    }

    @Test func memFilesAndMemPointersWork() throws {
        let content = "read through the CLI\n"
        let file = try temporaryFile(Array(content.utf8))
        let paths = try temporaryFile(Array(file.utf8) + [0])
        let memOut = try temporaryFile()
        defer { for f in [file, paths, memOut] { try? FileManager.default.removeItem(atPath: f) } }
        let (status, output) = try cli([
            "run", "read_open", "--mem-size", "8192", "--mem-file", "0:\(paths)", "--set", "path_addr=@mem",
            "--set", "buf_addr=@mem+4096", "--mem-out", memOut,
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains(".bss buf_addr = @mem+4096"))
        #expect(output.contains(".bss bytes_read = \(content.utf8.count)"))
        let mem = try #require(FileManager.default.contents(atPath: memOut))
        #expect(mem.count == 8192)
        #expect(String(decoding: mem[4096..<(4096 + content.utf8.count)], as: UTF8.self) == content)
    }

    @Test("user mode refuses an SQE address outside MEM (--trace names it); --grant and --unsafe-sqe-addresses allow it")
    func sqeSandboxOptions() throws {
        let content = "read through a grant\n"
        let file = try temporaryFile(Array(content.utf8))
        let paths = try temporaryFile(Array(file.utf8) + [0])
        defer { for f in [file, paths] { try? FileManager.default.removeItem(atPath: f) } }
        let common = ["run", "read_open", "--mode", "user", "--mem-size", "8192", "--mem-file", "0:\(paths)", "--set", "path_addr=@mem"]
        let (refused, output) = try cli(common + ["--set", "buf_addr=4096", "--trace"])
        #expect(refused == 1, "\(output)")  // the program ends the run itself with error set: the CLI exits 1
        #expect(output.contains("refused   SQE 0 READ addr=0x1000: 4096 bytes at 0x1000 are outside MEM and granted memory -> -14 (EFAULT)"), "\(output)")
        #expect(output.contains(".bss error = -14"), "\(output)")
        let (granted, grantOutput) = try cli(common + ["--grant", "4096", "--set", "buf_addr=@grant0"])
        #expect(granted == 0, "\(grantOutput)")
        #expect(grantOutput.contains(".bss bytes_read = \(content.utf8.count)"), "\(grantOutput)")
        let (badGrant, badOutput) = try cli(common + ["--grant", "4096", "--set", "buf_addr=@grant1"])
        #expect(badGrant == 64, "\(badOutput)")
        #expect(badOutput.contains("@grant1"), "\(badOutput)")
        let (unsafe, unsafeOutput) = try cli(common + ["--set", "buf_addr=@mem+4096", "--unsafe-sqe-addresses"])
        #expect(unsafe == 0, "\(unsafeOutput)")
    }

    @Test("--mem-file takes a hex OFFSET")
    func memFileHexOffset() throws {
        let content = "at offset 0x10\n"
        let file = try temporaryFile(Array(content.utf8))
        let paths = try temporaryFile(Array(file.utf8) + [0])
        defer { for f in [file, paths] { try? FileManager.default.removeItem(atPath: f) } }
        let (status, output) = try cli([
            "run", "read_open", "--mem-size", "8192", "--mem-file", "0x10:\(paths)", "--set", "path_addr=@mem+0x10",
            "--set", "buf_addr=@mem+4096",
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains(".bss bytes_read = \(content.utf8.count)"), "\(output)")
        let (badStatus, badOutput) = try cli(["run", "read_open", "--mem-size", "8192", "--mem-file", "0xZ:\(paths)"])
        #expect(badStatus == 64)
        #expect(badOutput.contains("OFFSET must be a non-negative decimal or 0x hex number"), "\(badOutput)")
    }

    @Test("--mem-out that cannot be written: a one-line error after the report, exit 1")
    func memOutErrors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (target, reason) in [(directory, "Is a directory"), (directory + "/missing/mem.bin", "No such file or directory")] {
            let (status, output) = try cli(["run", "nops_seq", "--mem-size", "4096", "--mem-out", target])
            #expect(status == 1, "\(output)")
            #expect(output.contains("nops_seq: result 0"), "the report is printed: \(output)")
            #expect(output.contains("Error: --mem-out \(target): \(reason)\n"), "\(output)")
        }
        let (status, output) = try cli(["run", "nops_seq", "--mem-out", directory + "/mem.bin"])
        #expect(status == 64)
        #expect(output.contains("--mem-out needs a MEM region to write: add --mem-size BYTES"), "\(output)")
    }

    @Test("ring sizes: what is wrong with the numbers, exit 64", arguments: [
        (["--sq-entries", "0"], "--sq-entries 0: an SQ has 1 to 32768 entries"),
        (["--sq-entries", "100000"], "--sq-entries 100000: an SQ has 1 to 32768 entries"),
        (["--cq-entries", "100000"], "--cq-entries 100000: a CQ has at most 65536 entries"),
        (["--sq-entries", "64", "--cq-entries", "32"], "--cq-entries 32 is below --sq-entries 64: the CQ needs at least as many entries as the SQ"),
    ])
    func ringSizes(_ options: [String], _ message: String) throws {
        let (status, output) = try cli(["run", "nops_seq"] + options)
        #expect(status == 64)
        #expect(output.contains(message), "\(output)")
        #expect(!output.contains("TASKRUN"), "\(output)")
    }

    @Test("--timeout-ms of 0 or less is refused", arguments: ["0", "-5"])
    func timeoutMustBePositive(_ value: String) throws {
        let (status, output) = try cli(["run", "nops_seq", "--timeout-ms", value])
        #expect(status == 64)
        #expect(output.contains("--timeout-ms \(value): the timeout must be at least 1 millisecond"), "\(output)")
    }

    @Test("--set of a value or an address that does not fit the global names it and its size")
    func setValuesMustFit() throws {
        let (status1, output1) = try cli(["run", "nops_seq", "--set", "nr_nops=0x100000000"])
        #expect(status1 == 64)
        #expect(output1.contains("4294967296 does not fit nr_nops, which is 4 bytes"), "\(output1)")
        let (status2, output2) = try cli(["run", "nops_seq", "--mem-size", "4096", "--set", "nr_nops=@mem"])
        #expect(status2 == 64)
        #expect(output2.contains("nr_nops=@mem is an 8-byte address, but nr_nops is 4 bytes"), "\(output2)")
    }

    @Test func aBadReturnValueIsReportedAsEINVAL() throws {
        let path = try programFile("bad_return")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for mode in loopModes {
            let (status, output) = try cli(["run", path, "--mode", mode.rawValue])
            #expect(status == 1)
            #expect(output.contains("result -EINVAL"), "\(output)")
            #expect(output.contains("neither IOU_LOOP_CONTINUE (0) nor IOU_LOOP_STOP (1)"), "\(mode): \(output)")
        }
    }

    @Test func aTimeoutEndsAnEndlessLoop() throws {
        let path = try programFile("endless")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try cli(["run", path, "--set", "mode=1", "--timeout-ms", "100", "--mode", "user"])
        #expect(status == 1)
        #expect(output.contains("result -ETIME (-62, "), "\(output)")
        #expect(output.contains("mode): the run's timeout elapsed"), "\(output)")
    }

    @Test("SIGINT ends a run with EINTR, says it can resume, and the report is printed")
    func interruptedRuns() throws {
        let path = try programFile("endless")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for mode in loopModes {
            let process = try CLIProcess(["run", path, "--set", "mode=1", "--mode", mode.rawValue])
            try process.waitUntilInsideIoUringEnter()
            kill(process.pid, SIGINT)
            let (status, output) = process.wait(seconds: 60)
            #expect(status == 1, "\(mode): \(output)")
            #expect(output.contains("result -EINTR (-4, \(mode) mode): interrupted"), "\(output)")
            #expect(output.contains("run again to resume"), "\(output)")
            #expect(output.contains(".bss steps = "), "\(output)")
        }
    }

    @Test func anOutOfRegionAccessNamesTheSourceLine() throws {
        let path = try programFile("out_of_bounds")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let line = try LoopTestPrograms.line(of: "OOB-READ", in: "out_of_bounds")
        let (status, output) = try cli(["run", path, "--mode", "user", "--no-verify", "--set", "mode=0", "--set", "oob_index=576"])
        #expect(status == 1)
        #expect(output.contains("out-of-bounds 4-byte load"), "\(output)")
        #expect(output.contains("out_of_bounds.bpf.c:\(line):"), "\(output)")
    }

    @Test(.enabled(if: !KernelLoopSupport.probe().available, "the kernel has io_uring_bpf_ops"))
    func kernelModeExplainsWhatIsMissing() throws {
        let (status, output) = try cli(["run", "nops_seq", "--mode", "kernel"])
        #expect(status == 2)
        #expect(output.contains("this kernel has no io_uring_bpf_ops (needs Linux 7.1+)"), "\(output)")
    }

    @Test func badArgumentsGetClearErrors() throws {
        let (status1, output1) = try cli(["run", "nops_seq", "--set", "no_such_global=1"])
        #expect(status1 == 64)
        #expect(output1.contains("no global variable 'no_such_global'"), "\(output1)")
        let (status2, output2) = try cli(["run", "nops_seq", "--set", "nr_nops=@mem"])
        #expect(status2 == 64)
        #expect(output2.contains("needs a MEM region"), "\(output2)")
        let (status3, output3) = try cli(["run", "nops_seq", "--set", "nr_nops"])
        #expect(status3 == 64)
        #expect(output3.contains("--set nr_nops: expected NAME=VALUE"), "\(output3)")
    }

    @Test("files that are no objects: why, and the same exit status from run and objdump")
    func unreadableObjects() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let empty = directory + "/empty.bpf.o", fifo = directory + "/fifo", garbage = directory + "/garbage.bpf.o"
        FileManager.default.createFile(atPath: empty, contents: Data())
        FileManager.default.createFile(atPath: garbage, contents: Data("not an ELF file".utf8))
        #expect(mkfifo(fifo, 0o600) == 0)
        let cases = [
            (directory, "\(directory) is a directory"), (empty, "\(empty) is empty"),
            ("/dev/null", "/dev/null is not a regular file (a character device)"),
            (fifo, "\(fifo) is not a regular file (a FIFO)"), (directory + "/missing", "No such file or directory"),
            (garbage, garbage + ":"),
        ]
        for (file, message) in cases {
            for command in ["run", "objdump"] {
                let (status, output) = try cli([command, file])
                #expect(status == 2, "\(command) \(file): \(output)")
                #expect(output.contains(message), "\(command) \(file): \(output)")
            }
        }
    }

    @Test("--help: --mode lists its values, options name their values, exit statuses are documented")
    func helpDocumentsOptionsAndExitStatuses() throws {
        let wide = ["COLUMNS": "1000"]  // no wrapping: each option's help on one line
        let (status, run) = try cli(["run", "--help"], environment: wide)
        #expect(status == 0)
        #expect(run.contains("(values: kernel, user, auto; default: auto)"), "\(run)")
        for option in ["--set <NAME=VALUE>", "--mem-file <OFFSET:PATH>", "--mem-out <PATH>", "--timeout-ms <MS>"] {
            #expect(run.contains(option), "\(option)")
        }
        let (_, demo) = try cli(["demo", "--help"], environment: wide)
        #expect(demo.contains("(values: kernel, user, auto; default: auto)"), "\(demo)")
        let (_, top) = try cli(["--help"], environment: wide)
        #expect(top.contains("Exit status: 0 success; 1 the loop failed"), "\(top)")
        #expect(top.contains("2 the program could not be loaded"))
        #expect(top.contains("64 bad options."))
        let (modeStatus, modeOutput) = try cli(["run", "nops_seq", "--mode", "bogus"])
        #expect(modeStatus == 64)
        #expect(modeOutput.contains("Please provide one of 'kernel', 'user' or 'auto'"), "\(modeOutput)")
    }

    /// With the help as wide as it wants (COLUMNS), ArgumentParser wraps nothing: a sentence that still continues
    /// on the next line was broken by hand in the source, and breaks at the wrong place on every other width.
    @Test("no help text breaks mid-sentence")
    func helpIsNotBrokenMidSentence() throws {
        var commands: [[String]] = [[]]
        var index = 0
        while index < commands.count {
            let command = commands[index]
            index += 1
            let (status, help) = try cli(command + ["--help"], environment: ["COLUMNS": "1000"])
            #expect(status == 0, "\(command)")
            let lines = help.components(separatedBy: "\n")
            for (a, b) in zip(lines, lines.dropFirst()) {
                let end = a.trimmingCharacters(in: .whitespaces), next = b.trimmingCharacters(in: .whitespaces)
                guard let last = end.last, let first = next.first else { continue }
                let isCode = end.hasSuffix("\\") || ["uring-bpf", "printf", "--"].contains { next.hasPrefix($0) }
                #expect(isCode || !((last.isLetter || last.isNumber || last == ",") && first.isLowercase),
                        "uring-bpf \(command.joined(separator: " ")) --help breaks mid-sentence: \"\(a)\" / \"\(b)\"")
            }
            if let start = lines.firstIndex(of: "SUBCOMMANDS:") {
                for line in lines[(start + 1)...].prefix(while: { !$0.isEmpty }) {
                    let name = line.split(separator: " ").first.map(String.init) ?? ""
                    if line.hasPrefix("  "), !line.hasPrefix("   "), !name.isEmpty { commands.append(command + [name]) }
                }
            }
        }
        #expect(commands.count > 6)
    }

    @Test("bench subcommands share --count and --repetitions")
    func benchOptions() throws {
        for bench in ["ring", "nops"] {
            let (_, help) = try cli(["bench", bench, "--help"])
            #expect(help.contains("--count <count>") && help.contains("--repetitions <repetitions>"), "\(bench): \(help)")
        }
        let (status, output) = try cli(["bench", "ring", "--count", "2000", "--repetitions", "1", "--batch", "1"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("2000 NOPs per run, best of 1 runs"), "\(output)")
    }

    /// The CLI's build configuration, from where SwiftPM put it (the VM guest has a release CLI beside debug tests).
    static let cliConfiguration: String? = {
        let folder = URL(fileURLWithPath: cliBinary).deletingLastPathComponent().lastPathComponent
        return ["debug", "release"].contains(folder) ? folder : nil
    }()

    @Test("a debug build's bench warns that its figures mean nothing; a release build's does not",
          .enabled(if: cliConfiguration != nil, "the CLI is not in a SwiftPM build directory"))
    func debugBuildWarning() throws {
        let (status, output) = try cli(["bench", "ring", "--count", "1000", "--repetitions", "1", "--batch", "1"])
        #expect(status == 0, "\(output)")
        let warning = "warning: this is a debug build: its figures mean nothing"
        #expect(output.contains(warning) == (Self.cliConfiguration == "debug"), "\(output)")
        let (_, notBench) = try cli(["run", "nops_seq"])
        #expect(!notBench.contains("debug build"))
    }

    @Test("run shows how long it has been running on a terminal, once a second, and erases it")
    func progressOnATerminal() throws {
        let path = try programFile("endless")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A pseudo-terminal (posix_openpt and friends are not in Swift's Glibc: /dev/ptmx and its ioctls, whose
        // numbers are the same on every Linux architecture we run on). Close-on-exec, so that the CLI processes
        // other tests spawn meanwhile do not keep the terminal open.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(master >= 0)
        defer { close(master) }
        var locked: CInt = 0, number: CInt = 0
        try #require(ioctl(master, 0x4004_5431 /* TIOCSPTLCK */, &locked) == 0)
        try #require(ioctl(master, 0x8004_5430 /* TIOCGPTN */, &number) == 0)
        let terminal = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(terminal >= 0)
        let process = try CLIProcess(["run", path, "--mode", "user", "--set", "mode=1", "--timeout-ms", "2600"],
                                     stderr: terminal)
        close(terminal)
        var seen: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {  // until the process is gone and the terminal hung up
            let n = read(master, &buffer, buffer.count)
            if n <= 0 { break }
            seen += buffer[0..<n]
        }
        let (status, output) = process.wait()
        let progress = String(decoding: seen, as: UTF8.self)
        #expect(status == 1)
        #expect(output.contains("result -ETIME"), "\(output)")
        #expect(progress.contains("\(path) (user mode): running for 1 s"), "\(progress)")
        #expect(progress.contains("running for 2 s"), "\(progress)")
        #expect(progress.hasSuffix("\r\u{1b}[K"), "the line is erased before the report: \(progress.debugDescription)")
        let (_, notATerminal) = try cli(["run", path, "--mode", "user", "--set", "mode=1", "--timeout-ms", "1500"])
        #expect(!notATerminal.contains("running for"), "no progress when standard error is not a terminal")
    }

    /// copy_file with too few file descriptors for the output: the input it opened is closed before it stops.
    @Test("copy_file closes what it opened when the second open fails (ulimit -n)")
    func copyFileClosesOnError() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/in", output = directory + "/out"
        FileManager.default.createFile(atPath: input, contents: Data("data".utf8))
        FileManager.default.createFile(atPath: directory + "/paths", contents: Data((input + "\0" + output + "\0").utf8))
        let command = "uring-bpf run copy_file --mode user --trace --mem-size 16384 --mem-file 0:\(directory)/paths "
            + "--set in_path_addr=@mem --set out_path_addr=@mem+\(input.utf8.count + 1) --set buf_addr=@mem+4096"
        // The lowest limit that lets the input open leaves none for the output.
        var tried: [String] = []
        for limit in 4...32 {
            let (_, report) = try CLIProcess(shell: "ulimit -n \(limit) && exec \(command)").wait()
            guard report.contains("reaped    user_data=0x1 res="), !report.contains("reaped    user_data=0x1 res=-") else {
                tried.append(report)
                continue
            }
            let opened = try #require(report.firstMatch(of: /reaped    user_data=0x1 res=(\d+)/)?.1)
            #expect(report.contains("reaped    user_data=0x2 res=-24 (EMFILE)"), "\(report)")
            #expect(report.contains("sqe       CLOSE fd=\(opened) user_data=0x5"), "\(report)")
            #expect(report.contains("reaped    user_data=0x5 res=0"), "\(report)")
            #expect(report.contains(".data in_fd = -1"), "\(report)")
            #expect(report.contains(".bss error = -24"), "\(report)")
            return
        }
        Issue.record("no file limit let copy_file open only its input: \(tried.last ?? "")")
    }

    /// The command lines in the examples' header comments ("Runner usage:"), run as written.
    @Test(.enabled(if: sourceTree != nil, "needs the source tree (the VM guest has only the binaries)"))
    func exampleHeaderCommandsWork() throws {
        let folder = try #require(sourceTree).appendingPathComponent("Programs/UringBPFExamples")
        let sources = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".bpf.c") }
        #expect(sources.count >= 4)
        for source in sources.sorted() {
            let text = try String(contentsOf: folder.appendingPathComponent(source), encoding: .utf8)
            let comment = text.components(separatedBy: "*/").first { $0.contains("Runner usage:") } ?? ""
            let usage = comment.components(separatedBy: "Runner usage:").dropFirst().first ?? ""
            let commands = usage.components(separatedBy: "\n").dropFirst()
                .map { $0.replacingOccurrences(of: #"^\s*\*\s?"#, with: "", options: .regularExpression) }
                .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.trimmingCharacters(in: .whitespaces).hasPrefix("(") }
            #expect(commands.contains { $0.contains("uring-bpf run") || $0.contains("uring-bpf exec") },
                    "\(source) has no command line under Runner usage:")
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let (status, output) = try CLIProcess(shell: "set -e; cd \(directory)\n" + commands.joined(separator: "\n")).wait()
            #expect(status == 0, "\(source): \(commands.joined(separator: "\n"))\n\(output)")
            #expect(output.contains(": result 0") || output.contains(": r0 = "), "\(source): \(output)")
            #expect(!output.contains("error = -"), "\(source): \(output)")
        }
    }

    @Test func aProgramTheKernelRefusesIsRefusedAtLoadUnlessVerificationIsOff() throws {
        let path = try programFile("out_of_bounds")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try cli(["run", path, "--mode", "user", "--set", "mode=0"])
        #expect(status == 2, "a program that cannot be loaded: \(output)")
        #expect(output.contains("the verifier refuses"), "\(output)")
        #expect(output.contains("out_of_bounds.bpf.c:"), "\(output)")
    }
}
