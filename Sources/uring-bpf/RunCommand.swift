import ArgumentParser
import BPFObject
import Foundation
import UringBPF

/// `uring-bpf run FILE.o`: runs an `io_uring_bpf_ops` loop program once over a fresh ring.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a loop program (struct_ops io_uring_bpf_ops) over a new ring, in kernel or user mode.",
        discussion: """
            The ring has SINGLE_ISSUER|DEFER_TASKRUN|NO_SQARRAY|CQSIZE|SQ_REWIND (SQ_REWIND is emulated in user
            mode on kernels before 7.1). Prints the result (0 or -errno), the statistics and every global.

            Examples:
              uring-bpf run nops_seq --set nr_nops=100000
              printf '/etc/hostname\\0' > path.bin
              uring-bpf run read_open --mem-size 8192 --mem-file 0:path.bin \\
                  --set path_addr=@mem+0 --set buf_addr=@mem+4096 --trace
            """
    )

    @Argument(help: "The object file (.bpf.o), or the name of a bundled example.")
    var file: String?

    @Option(help: "Run a bundled example by name.")
    var example: String?

    @Option(help: "user, kernel or auto (kernel when the kernel has io_uring_bpf_ops).")
    var mode: String = "auto"

    @Option(help: "SQ entries.")
    var sqEntries: UInt32 = 16

    @Option(help: "CQ entries.")
    var cqEntries: UInt32 = 32

    @Option(help: "Bytes of MEM region to register (page-rounded).")
    var memSize: Int = 0

    @Option(help: "OFFSET:PATH — copy a file into MEM at OFFSET before the run (repeatable).")
    var memFile: [String] = []

    @Option(help: "Write the MEM region to PATH after the run.")
    var memOut: String?

    @Option(name: .customLong("set"), help: "NAME=VALUE — set a global before loading; VALUE is an integer, @mem or @mem+N (repeatable).")
    var settings: [String] = []

    @Option(help: "End the run after this many milliseconds (it then ends with ETIME; the program's state is kept).")
    var timeoutMs: Int?

    @Option(help: "User mode: stop after this many loop steps.")
    var maxSteps: Int?

    @Flag(help: "User mode: print each step (CQEs reaped, SQEs submitted, cq_wait_idx, return value, printk).")
    var trace = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        guard let loopMode = LoopMode(rawValue: mode) else { throw ValidationError("--mode must be user, kernel or auto") }
        let (object, title) = try loadObject(file: file, example: example)
        var options = LoopOptions()
        options.mode = loopMode
        options.sqEntries = sqEntries
        options.cqEntries = cqEntries
        options.memSize = memSize
        options.stepBudget = maxSteps
        options.timeout = timeoutMs.map { .milliseconds($0) }
        options.interruptingSignals = [SIGINT, SIGTERM]
        for setting in settings {
            guard let eq = setting.firstIndex(of: "=") else { throw ValidationError("--set \(setting): expected NAME=VALUE") }
            options.globals.append((String(setting[..<eq]), try GlobalValue(parsing: String(setting[setting.index(after: eq)...]))))
        }
        if trace {
            options.tracer = { print(StepTraceFormatter.format($0)) }
        }
        let loop = try UringLoop(object: object, options: options)
        try copyMemFiles(into: loop)
        let result: Result<LoopStatistics, LoopError>
        do { result = .success(try loop.run()) } catch { result = .failure(error) }
        if let memOut, let mem = loop.memory {
            try Data(mem.allBytes).write(to: URL(fileURLWithPath: memOut))
        }
        let report = LoopReport(program: title, mode: loop.mode, result: result, statistics: loop.lastStatistics,
                                globals: loop.globals.all,
                                mem: loop.memory.map { $0.address..<($0.address + UInt64($0.count)) })
        print(json ? report.json : report.text)
        if report.returnCode != 0 { throw ExitCode(1) }
    }

    private func copyMemFiles(into loop: UringLoop) throws {
        for spec in memFile {
            let (offset, path): (Int, String)
            if let colon = spec.firstIndex(of: ":"), let n = Int(spec[..<colon]) {
                (offset, path) = (n, String(spec[spec.index(after: colon)...]))
            } else {
                (offset, path) = (0, spec)
            }
            guard let mem = loop.memory else { throw ValidationError("--mem-file needs a MEM region: add --mem-size") }
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            do {
                try mem.write(data, at: offset)
            } catch {
                throw ValidationError("--mem-file \(spec): \(error.message)")
            }
        }
    }
}
