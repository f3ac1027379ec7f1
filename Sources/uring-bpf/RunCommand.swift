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

    static let maxSQEntries = NumericOptions.maxSQEntries
    static let maxCQEntries = NumericOptions.maxCQEntries
    /// The largest `--grant`.
    static let maxGrant = 1 << 30

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

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a global before loading; VALUE is an integer (decimal or 0x hex), @mem or @mem+N, the MEM region's address plus N, or @grantK / @grantK+N, the K-th --grant's address plus N (repeatable).", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("User mode: zeroed memory besides MEM that SQEs may point at (the program cannot load or store there); --set gives its address as @grant0, @grant1+N, ... (repeatable).", valueName: "BYTES"))
    var grant: [Int] = []

    @Flag(help: "User mode: submit SQEs without checking their addresses, as the kernel does; the program can then make the kernel read and write any memory of this process.")
    var unsafeSqeAddresses = false

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
        do throws(NumericOptionError) {
            try NumericOptions.checkRing(sqEntries: sqEntries, cqEntries: cqEntries)
            try NumericOptions.checkMemSize(memSize)
            if let timeoutMs { try NumericOptions.checkMilliseconds(timeoutMs, option: "--timeout-ms", what: "timeout") }
        } catch {
            throw ValidationError(error.description)
        }
        if memSize == 0 {
            if !memFile.isEmpty { throw ValidationError("--mem-file needs a MEM region: add --mem-size BYTES") }
            if memOut != nil { throw ValidationError("--mem-out needs a MEM region to write: add --mem-size BYTES") }
        }
        if let maxSteps, maxSteps < 1 {
            throw ValidationError("--max-steps \(maxSteps): a run takes at least 1 step")
        }
        for bytes in grant where !(1...Self.maxGrant).contains(bytes) {
            throw ValidationError("--grant \(bytes): a grant has 1 to \(Self.maxGrant) bytes")
        }
        _ = try memFiles()
        _ = try globals(grants: grant.map { (0, $0) })
    }

    /// Every `--grant`, kept reachable until the process exits (a run happens once per process).
    nonisolated(unsafe) private static var grantedMemory: [UnsafeMutableRawBufferPointer] = []

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
        // The grants live until the process exits: requests may still be in flight when the loop closes.
        let grants = grant.map { bytes in
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 4096)
            memory.initializeMemory(as: UInt8.self, repeating: 0)
            Self.grantedMemory.append(memory)
            return GrantedMemory(memory)
        }
        options.grants = grants
        options.sqeSandbox = unsafeSqeAddresses ? .off : .strict
        options.globals = try globals(grants: grants.map { ($0.address, $0.count) })
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
        do throws(NumericOptionError) {
            return try memFile.map { spec throws(NumericOptionError) in try NumericOptions.memFile(spec) }
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// `--set NAME=VALUE` values; `@grantK+N` is the K-th of `grants` (address, size) plus N.
    private func globals(grants: [(address: UInt64, size: Int)]) throws -> [(name: String, value: GlobalValue)] {
        try settings.map { setting in
            guard let eq = setting.firstIndex(of: "="), eq != setting.startIndex else {
                throw ValidationError("--set \(setting): expected NAME=VALUE")
            }
            let text = String(setting[setting.index(after: eq)...])
            let value: GlobalValue
            do throws(LoopError) {
                value = try text.hasPrefix("@grant") ? Self.grantAddress(text, grants, setting) : GlobalValue(parsing: text)
            } catch {
                throw ValidationError("--set \(setting): \(error.message)")
            }
            return (String(setting[..<eq]), value)
        }
    }

    /// `@grantK` or `@grantK+N` (N below the grant's size) as an address.
    private static func grantAddress(_ text: String, _ grants: [(address: UInt64, size: Int)],
                                     _ setting: String) throws(LoopError) -> GlobalValue {
        let spec = text.dropFirst("@grant".count)
        let plus = spec.firstIndex(of: "+")
        guard let k = Int(spec[..<(plus ?? spec.endIndex)]), grants.indices.contains(k) else {
            throw LoopError(.badArgument, "'\(text)': expected @grantK or @grantK+N with K below the number of --grant options (\(grants.count))")
        }
        var offset: UInt64 = 0
        if let plus {
            guard case .integer(let n) = try GlobalValue(parsing: String(spec[spec.index(after: plus)...])),
                  n >= 0, n < Int128(grants[k].size) else {
                throw LoopError(.badArgument, "'\(text)': N must be a non-negative integer below the grant's \(grants[k].size) bytes")
            }
            offset = UInt64(n)
        }
        return .integer(Int128(grants[k].address + offset))
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
