import ArgumentParser
import BPFJIT
import BPFObject
import Foundation
import UringBPF
import UringBPFExamples

/// `uring-bpf demo`: runs the bundled example loop programs and says what each did.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the bundled example loop programs (NOPs, read(open()), file copies, many small files) and show what they did."
    )

    @Option(help: "Where the programs run: kernel (needs io_uring_bpf_ops, Linux 7.1+), user (our interpreter) or auto (kernel when the kernel has io_uring_bpf_ops).")
    var mode: LoopMode = .auto

    @Option(help: "User mode: the engine that runs the programs (the JIT falls back to the interpreter where it cannot run).")
    var engine: ExecutionEngine = .default

    @Flag(help: "User mode: submit SQEs without checking their addresses, as the kernel does.")
    var unsafeSqeAddresses = false

    func run() throws {
        let support = KernelLoopSupport.probe()
        print("uring-bpf demo — \(mode == .auto ? "auto mode: \(support.available ? "kernel" : "user") (\(support.reason))" : "\(mode) mode")\n")
        var failures = 0
        for demo in Demo.all {
            do {
                let (loop, elapsed, summary) = try demo.run(mode, engine: engine, sandbox: unsafeSqeAddresses ? .off : .strict)
                let how = loop.engine.map { ", \($0.engine)" } ?? ""
                print("\(demo.title) [\(demo.example), \(loop.mode) mode\(how), \(formatDuration(elapsed))]")
                print("  \(summary)")
                print("  \(loop.lastStatistics)\n")
            } catch {
                failures += 1
                print("\(demo.title) [\(demo.example)] FAILED: \(error)\n")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

/// One bundled example with the setup it needs and a sentence about its outcome.
private struct Demo {
    var title: String
    var example: String
    var prepare: (inout LoopOptions) throws -> Void = { _ in }
    var before: (UringLoop) throws -> Void = { _ in }
    var describe: (UringLoop) throws -> String

    func run(_ mode: LoopMode, engine: ExecutionEngine, sandbox: SQESandboxMode) throws -> (UringLoop, Duration, String) {
        guard let e = UringBPFExamples.named(example) else { throw ValidationError("example \(example) is not built") }
        var options = LoopOptions()
        options.mode = mode
        options.engine = engine
        options.sqeSandbox = sandbox
        try prepare(&options)
        let loop = try UringLoop(object: try ObjectFile(bytes: e.bytes), options: options)
        try before(loop)
        let clock = ContinuousClock()
        let start = clock.now
        _ = try loop.run()
        let elapsed = clock.now - start
        let summary = try describe(loop)
        // By convention a program reports failures in a non-zero `error` (the first -errno) or `errors` (a count).
        for name in ["error", "errors"] {
            if let v = loop.globals.variable(named: name)?.integer, v.bitPattern != 0 {
                throw ValidationError("the program reported \(name) = \(v): \(summary)")
            }
        }
        return (loop, elapsed, summary)
    }

    static let nops = 100_000
    static let workDirectory = NSTemporaryDirectory() + "uring-bpf-demo-\(getpid())"

    static var all: [Demo] {
        [
            Demo(title: "Sequential NOPs: each NOP issued by the step that reaped the previous one", example: "nops_seq",
                 prepare: { $0.globals = [("nr_nops", .integer(Int128(nops)))] },
                 describe: { loop in
                     let g = loop.globals
                     return "\(g.show("nops_completed")) NOPs completed in one run (error \(g.show("error")))"
                 }),
            Demo(title: "NOPs at queue depth 32", example: "nops_qd",
                 prepare: {
                     $0.sqEntries = 64
                     $0.cqEntries = 128
                     $0.globals = [("nr_nops", .integer(Int128(nops))), ("queue_depth", .integer(32))]
                 },
                 describe: { loop in
                     let g = loop.globals
                     return "\(g.show("nops_completed")) NOPs, up to 32 in flight, in \(g.show("steps")) loop steps"
                 }),
            readOpen,
            copyFile,
            slurp,
            copyDeep,
            echo,
        ]
    }

    static var readOpen: Demo {
        let path = workDirectory + "-hello.txt"
        let text = "Hello from a file that a BPF loop opened and read.\n"
        return Demo(
            title: "read(open()): openat, then read on the fd from its CQE, then close", example: "read_open",
            prepare: { o in
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                o.memSize = 8192
                o.globals = [("path_addr", .memAddress(offset: 0)), ("buf_addr", .memAddress(offset: 4096))]
            },
            before: { loop in try loop.memory!.write(Array(path.utf8) + [0], at: 0) },
            describe: { loop in
                defer { try? FileManager.default.removeItem(atPath: path) }
                let g = loop.globals
                let n = Int(g.show("bytes_read")) ?? 0
                let read = String(decoding: try loop.memory!.bytes(4096..<(4096 + max(0, min(n, 4096)))), as: UTF8.self)
                return "read \(n) bytes from \(path): \"\(read.trimmingCharacters(in: .newlines))\" (error \(g.show("error")))"
            })
    }

    static var copyFile: Demo {
        let input = workDirectory + "-copy.in", output = workDirectory + "-copy.out"
        let size = 4 << 20
        return Demo(
            title: "File copy: read/write chunks until EOF, at queue depth 1", example: "copy_file",
            prepare: { o in
                var bytes = [UInt8](repeating: 0, count: size)
                for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 7) }
                try Data(bytes).write(to: URL(fileURLWithPath: input))
                o.memSize = 64 << 10
                o.globals = [
                    ("in_path_addr", .memAddress(offset: 0)),
                    ("out_path_addr", .memAddress(offset: UInt64(input.utf8.count + 1))),
                    ("buf_addr", .memAddress(offset: 4096)), ("buf_len", .integer(32 << 10)),
                ]
            },
            before: { loop in try loop.memory!.write(Array(input.utf8) + [0] + Array(output.utf8) + [0], at: 0) },
            describe: { loop in
                defer {
                    try? FileManager.default.removeItem(atPath: input)
                    try? FileManager.default.removeItem(atPath: output)
                }
                let g = loop.globals
                let same = FileManager.default.contentsEqual(atPath: input, andPath: output)
                return "copied \(g.show("bytes_copied")) bytes in \(g.show("reads")) reads and \(g.show("writes")) writes; the copy is \(same ? "identical" : "DIFFERENT") (error \(g.show("error")))"
            })
    }
}

extension Demo {
    static var slurp: Demo {
        let directory = workDirectory + "-files"
        let files = 2000, size = 4096
        let paths = (0..<files).map { directory + "/file\($0)" }
        let job = SlurpJob(paths: paths, depth: 32, bufferLength: 8192)
        nonisolated(unsafe) var expected: UInt64 = 0
        return Demo(
            title: "Many small files: openat → read → close, 32 files in flight, the fd from each open's CQE", example: "slurp",
            prepare: { o in
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for (i, path) in paths.enumerated() {
                    let content = [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: size - i % 7)
                    expected &+= content.withUnsafeBytes { SlurpJob.checksum($0) }
                    try RegularFile.create(path, contents: content)
                }
                var options = job.options(mode: o.mode)
                options.engine = o.engine
                o = options
            },
            before: { loop in try job.prepare(loop) },
            describe: { loop in
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let outcome = try SlurpJob.outcome(of: loop)
                let same = outcome.checksum == expected ? "equals" : "DIFFERS from"
                return "read \(outcome.files) files, \(outcome.bytes) bytes; checksum 0x\(String(outcome.checksum, radix: 16)) \(same) the files' (errors \(outcome.errors))"
            })
    }

    static var copyDeep: Demo {
        let input = workDirectory + "-deep.in", output = workDirectory + "-deep.out"
        let job = CopyDeepJob(input: input, output: output, depth: 8, bufferLength: 128 << 10)
        return Demo(
            title: "Deep-queue copy: 8 reads/writes in flight, each write issued from its read's CQE", example: "copy_deep",
            prepare: { o in
                var bytes = [UInt8](repeating: 0, count: (16 << 20) + 12345)
                for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 9) }
                try RegularFile.create(input, contents: bytes)
                var options = job.options(mode: o.mode)
                options.engine = o.engine
                o = options
            },
            before: { loop in try job.prepare(loop) },
            describe: { loop in
                defer {
                    try? FileManager.default.removeItem(atPath: input)
                    try? FileManager.default.removeItem(atPath: output)
                }
                let outcome = try CopyDeepJob.outcome(of: loop)
                let same = FileManager.default.contentsEqual(atPath: input, andPath: output)
                guard same else { throw ValidationError("the copy differs from the input") }
                return "copied \(outcome.bytes) bytes in \(outcome.reads) reads and \(outcome.writes) writes; the copy is identical (errors \(outcome.errors))"
            })
    }
}

func formatDuration(_ d: Duration) -> String {
    let ms = Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
    return ms < 1 ? String(format: "%.0f µs", ms * 1000) : String(format: "%.1f ms", ms)
}

extension GlobalVariables {
    /// The value of `name` as text ("?" if the program has no such variable).
    func show(_ name: String) -> String { variable(named: name)?.formattedValue ?? "?" }
}

extension Demo {
    /// The echo server: 8 clients on loopback, 200 messages each, while the program serves them.
    static var echo: Demo {
        let clients = 8, messages = 200, size = 64
        let session = EchoDemoSession()
        return Demo(
            title: "TCP echo server: multishot accept, then recv → send per connection, on 127.0.0.1", example: "echo",
            prepare: { o in
                let (listener, port) = try EchoServer.listeningSocket(address: "127.0.0.1", port: 0)
                (session.listener, session.port) = (listener, port)
                o = EchoServer.options(o, listener: listener, maxConnections: clients, bufferSize: 2048)
                o.timeout = .seconds(60)  // a server whose clients failed would wait for them forever
            },
            before: { _ in
                let port = session.port
                session.clients = Thread {
                    session.result = EchoClient.run(port: port, connections: clients, messages: messages, size: size)
                    session.done.signal()
                }
                session.clients?.start()
            },
            describe: { loop in
                defer { close(session.listener) }
                session.done.wait()
                let load = session.result!
                let g = loop.globals
                let failures = load.failures.isEmpty ? "" : "; client failures: \(load.failures.map(\.description))"
                return "\(g.show("accepted")) connections served, \(load.messages) messages of \(size) B echoed back "
                    + "intact (\(g.show("bytes")) bytes), \(g.show("resets")) reset (error \(g.show("error")))\(failures)"
            })
    }
}

/// The echo demo's listening socket and client thread.
private final class EchoDemoSession: @unchecked Sendable {
    var listener: Int32 = -1
    var port: UInt16 = 0
    var clients: Thread?
    var result: EchoClient.Result?
    let done = DispatchSemaphore(value: 0)
}
