import ArgumentParser
import BPFJIT
import BPFObject
import Foundation
import SystemPackage
import UringBPF

/// `uring-bpf run FILE.o`: runs an `io_uring_bpf_ops` loop program once over a fresh ring.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a loop program (struct_ops io_uring_bpf_ops) over a new ring, in kernel or user mode.",
        discussion: """
            The ring has SINGLE_ISSUER|DEFER_TASKRUN|NO_SQARRAY|CQSIZE|SQ_REWIND (SQ_REWIND is emulated in user mode \
            on kernels before 7.1). Prints the result (0 or -errno), the statistics and every global; while a run \
            takes longer than a second, a terminal on standard error shows how long it has been running.

            Examples:
              uring-bpf run nops_seq --set nr_nops=100000
              printf '/etc/hostname\\0' > path.bin
              uring-bpf run read_open --mem-size 8192 --mem-file 0:path.bin \\
                  --set path_addr=@mem+0 --set buf_addr=@mem+4096 --trace

            \(ExitStatus.documentation)
            """
    )

    /// io_uring's limits (IORING_MAX_ENTRIES, IORING_MAX_CQ_ENTRIES).
    static let maxSQEntries: UInt32 = 32768
    static let maxCQEntries: UInt32 = 65536

    @Argument(help: "The object file (.bpf.o), or the name of a bundled example.")
    var file: String?

    @Option(help: "Run a bundled example by name.")
    var example: String?

    @Option(help: "Where the program runs: kernel (needs io_uring_bpf_ops, Linux 7.1+), user (our interpreter) or auto (kernel when the kernel has io_uring_bpf_ops).")
    var mode: LoopMode = .auto

    @Option(help: ArgumentHelp("SQ entries, 1 to \(maxSQEntries) (rounded up to a power of two).", valueName: "N"))
    var sqEntries: UInt32 = 16

    @Option(help: ArgumentHelp("CQ entries, at least the SQ's and at most \(maxCQEntries) (rounded up to a power of two).", valueName: "N"))
    var cqEntries: UInt32 = 32

    @Option(parsing: .unconditional, help: ArgumentHelp("Bytes of MEM region to register (page-rounded); 0 for none.", valueName: "BYTES"))
    var memSize: Int = 0

    @Option(help: ArgumentHelp("Copy the file at PATH into MEM at OFFSET (decimal or 0x hex) before the run (repeatable).", valueName: "OFFSET:PATH"))
    var memFile: [String] = []

    @Option(help: ArgumentHelp("Write the MEM region to PATH after the run.", valueName: "PATH"))
    var memOut: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a global before loading; VALUE is an integer (decimal or 0x hex), @mem or @mem+N, the MEM region's address plus N (repeatable).", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("End the run after this many milliseconds (it then ends with ETIME; the program's state is kept).", valueName: "MS"))
    var timeoutMs: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("User mode: stop after this many loop steps.", valueName: "N"))
    var maxSteps: Int?

    @Option(help: "User mode: the engine that runs the program (the JIT falls back to the interpreter where it cannot run).")
    var engine: ExecutionEngine = .default

    @Flag(help: "User mode: skip the load-time verification (the kernel's rules); the engine still stops any access outside the program's memory.")
    var noVerify = false

    @Flag(help: "User mode: print each step (CQEs reaped, SQEs submitted, cq_wait_idx, return value, printk).")
    var trace = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard (1...Self.maxSQEntries).contains(sqEntries) else {
            throw ValidationError("--sq-entries \(sqEntries): an SQ has 1 to \(Self.maxSQEntries) entries")
        }
        guard cqEntries <= Self.maxCQEntries else {
            throw ValidationError("--cq-entries \(cqEntries): a CQ has at most \(Self.maxCQEntries) entries")
        }
        // The kernel compares the sizes after rounding both up to powers of two.
        guard cqEntries.roundedUpToPowerOfTwo >= sqEntries.roundedUpToPowerOfTwo else {
            throw ValidationError("--cq-entries \(cqEntries) is below --sq-entries \(sqEntries): the CQ needs at "
                + "least as many entries as the SQ (\(sqEntries.roundedUpToPowerOfTwo) after rounding up)")
        }
        guard memSize >= 0 else { throw ValidationError("--mem-size \(memSize): a size cannot be negative") }
        if memSize == 0 {
            if !memFile.isEmpty { throw ValidationError("--mem-file needs a MEM region: add --mem-size BYTES") }
            if memOut != nil { throw ValidationError("--mem-out needs a MEM region to write: add --mem-size BYTES") }
        }
        if let timeoutMs, timeoutMs < 1 {
            throw ValidationError("--timeout-ms \(timeoutMs): the timeout must be at least 1 millisecond")
        }
        if let maxSteps, maxSteps < 1 {
            throw ValidationError("--max-steps \(maxSteps): a run takes at least 1 step")
        }
        _ = try memFiles()
        _ = try globals()
    }

    func run() throws {
        let input = try ObjectInput(file: file, example: example)
        var options = LoopOptions()
        options.mode = mode
        options.sqEntries = sqEntries
        options.cqEntries = cqEntries
        options.memSize = memSize
        options.stepBudget = maxSteps
        options.engine = engine
        options.verify = !noVerify
        options.timeout = timeoutMs.map { .milliseconds($0) }
        options.interruptingSignals = [SIGINT, SIGTERM]
        options.globals = try globals()
        if trace {
            options.tracer = { print(StepTraceFormatter.format($0)) }
        }
        let loop = try UringLoop(object: input.object, options: options)
        if let mem = loop.memory {
            for (offset, path) in try memFiles() {
                let bytes = try Self.contents(of: path, for: "--mem-file \(offset):\(path)")
                do { try mem.write(bytes, at: offset) } catch {
                    throw ValidationError("--mem-file \(offset):\(path): \(error.message)")
                }
            }
        }

        let progress = RunProgress(program: input.title, mode: loop.mode)
        let result: Result<LoopStatistics, LoopError>
        do { result = .success(try loop.run()) } catch { result = .failure(error) }
        progress.stop()

        let report = LoopReport(program: input.title, mode: loop.mode, result: result,
                                statistics: loop.lastStatistics, globals: loop.globals.all, engine: loop.engine,
                                mem: loop.memory.map { $0.address..<($0.address + UInt64($0.count)) })
        print(json ? report.json : report.text)
        // The report comes first: a MEM file that cannot be written does not hide what the run did.
        if let memOut, let mem = loop.memory {
            if let error = Self.write(mem.allBytes, to: memOut) {
                fflush(nil)  // the report first, then the error
                FileHandle.standardError.write(Data("Error: --mem-out \(memOut): \(String(cString: strerror(error.rawValue)))\n".utf8))
                throw ExitCode(ExitStatus.loopFailed)
            }
        }
        if report.returnCode != 0 { throw ExitCode(ExitStatus.loopFailed) }
        if let reported = report.reportedErrors {
            fflush(nil)  // the report first, then why the status is 1
            FileHandle.standardError.write(Data("Error: the program reported an error: \(reported)\n".utf8))
            throw ExitCode(ExitStatus.loopFailed)
        }
    }

    /// `--mem-file OFFSET:PATH` values; OFFSET is decimal or 0x hex, and may be left out (0).
    private func memFiles() throws -> [(offset: Int, path: String)] {
        try memFile.map { spec in
            guard let colon = spec.firstIndex(of: ":") else { return (0, spec) }
            let text = spec[..<colon]
            let digits = text.lowercased().hasPrefix("0x") ? text.dropFirst(2) : text
            guard let offset = Int(digits, radix: text.lowercased().hasPrefix("0x") ? 16 : 10), offset >= 0 else {
                throw ValidationError("--mem-file \(spec): OFFSET must be a non-negative decimal or 0x hex number")
            }
            return (offset, String(spec[spec.index(after: colon)...]))
        }
    }

    /// `--set NAME=VALUE` values.
    private func globals() throws -> [(name: String, value: GlobalValue)] {
        try settings.map { setting in
            guard let eq = setting.firstIndex(of: "="), eq != setting.startIndex else {
                throw ValidationError("--set \(setting): expected NAME=VALUE")
            }
            let value: GlobalValue
            do throws(LoopError) {
                value = try GlobalValue(parsing: String(setting[setting.index(after: eq)...]))
            } catch {
                throw ValidationError("--set \(setting): \(error.message)")
            }
            return (String(setting[..<eq]), value)
        }
    }

    /// Writes `bytes` to the file at `path` (created, or truncated); the errno when that fails.
    private static func write(_ bytes: [UInt8], to path: String) -> Errno? {
        do {
            let file = try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate],
                                               permissions: [.ownerReadWrite, .groupRead, .otherRead])
            defer { try? file.close() }
            _ = try file.writeAll(bytes)
            return nil
        } catch let error as Errno {
            return error
        } catch {
            return .ioError
        }
    }

    /// The bytes of a file given in an option, or a usage error saying why there are none.
    private static func contents(of path: String, for option: String) throws -> [UInt8] {
        do { return try RegularFile.read(path) } catch { throw ValidationError("\(option): \(error)") }
    }
}

extension UInt32 {
    /// The smallest power of two at least this (the kernel's `roundup_pow_of_two`), for values up to 2^31.
    var roundedUpToPowerOfTwo: UInt32 { self <= 1 ? 1 : 1 << (32 - (self - 1).leadingZeroBitCount) }
}
