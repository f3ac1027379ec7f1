import ArgumentParser
import BPFJIT
import Foundation
import UringBPF
import UringBPFExamples

/// `uring-bpf serve-echo`: the `echo` example serving TCP connections until it has served `--connections` of them,
/// or until SIGINT/SIGTERM (then it stops accepting and closes its connections before it exits).
struct ServeEchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-echo",
        abstract: "Run the echo example (echo.bpf.c) as a TCP echo server.",
        discussion: """
            Prints "listening on ADDRESS:PORT" when it is ready, and its counters when it ends. It ends by itself \
            after --connections connections have closed; SIGINT or SIGTERM end it gracefully (no new connections, \
            open ones shut down and closed). Exits 1 when the program reports an error.
            """
    )

    @Option(help: "TCP port to listen on (0: any free port, printed).")
    var port: UInt16 = 7007

    @Option(help: "IPv4 address to listen on.")
    var address = "127.0.0.1"

    @Option(help: "Stop after this many connections have closed (0: serve until SIGINT/SIGTERM).")
    var connections = 0

    @Option(help: "Bytes of buffer per connection.")
    var bufferSize = 2048

    @Option(help: "Where the program runs: kernel (needs io_uring_bpf_ops, Linux 7.1+), user (our engine) or auto.")
    var mode: LoopMode = .auto

    @Option(help: "User mode: the engine that runs the program.")
    var engine: ExecutionEngine = .default

    func run() throws {
        var options = LoopOptions()
        options.mode = mode
        options.engine = engine
        options.interruptingSignals = [SIGINT, SIGTERM]
        let server = try EchoServer(address: address, port: port, maxConnections: connections,
                                    bufferSize: bufferSize, options: options)
        defer { server.close() }
        let how = server.loop.engine.map { ", \($0.engine)" } ?? ""
        print("echo: listening on \(server.address):\(server.port) (\(server.loop.mode) mode\(how))")
        fflush(nil)  // a script waiting for this line sees it now
        var statistics: LoopStatistics
        switch Result(catching: { () throws(LoopError) in try server.run() }) {
        case .success(let s):
            statistics = s
        case .failure(let error):
            guard error.kind == .interrupted else { throw error }
            print("echo: stopping (closing open connections)")
            statistics = try server.stop()
        }
        let c = try server.counters
        print("echo: \(c.accepted) connections served, \(c.closed) closed, \(c.refused) refused, \(c.resets) reset, "
              + "\(c.connectionErrors) failed (last error \(c.lastConnectionError)); \(c.messages) messages, "
              + "\(c.bytes) bytes echoed, \(c.partialSends) partial sends; error \(c.error)")
        print("echo: \(statistics)")
        if c.error != 0 { throw ExitCode(ExitStatus.loopFailed) }
    }
}
