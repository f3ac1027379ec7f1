import ArgumentParser
import BPFJIT
import CReference
import Foundation
import UringBPF
import UringBPFExamples

/// `uring-bpf bench echo`: a TCP echo server on loopback driven by the `echo` loop program (user mode on the JIT and
/// on the interpreter, kernel mode where the kernel can), against the same server driven from user space through
/// io_uring without BPF, and an epoll server.
///
/// Each run starts its server in-process on 127.0.0.1 (an ephemeral port), then `EchoClient` opens the connections,
/// each on its own thread, and sends its messages one at a time, checking every echo. The server stops by itself
/// once every connection has closed; its counters are checked (every connection served, every byte echoed, no
/// error) before the run counts. Variants run interleaved in a rotating order; each row is the median.
struct BenchEchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo",
        abstract: "Messages per second and syscalls per message: a TCP echo server as a loop program vs io_uring and epoll."
    )

    @Option(help: "Client connections, open at once (1...\(EchoServer.slots)).")
    var connections = 16

    @Option(help: "Messages each connection sends (and reads back).")
    var messages = 2000

    @Option(help: "Bytes per message (1...65536).")
    var size = 64

    @Option(help: "Measured runs per variant (after one warm-up run each); the median counts.")
    var repetitions = 5

    func validate() throws {
        guard (1...EchoServer.slots).contains(connections), messages > 0, (1...65536).contains(size), repetitions > 0,
              connections.multipliedReportingOverflow(by: messages).partialValue <= 100_000_000,
              !connections.multipliedReportingOverflow(by: messages).overflow else {
            throw ValidationError("--connections must be 1...\(EchoServer.slots), --size 1...65536, --messages and "
                                  + "--repetitions at least 1, and connections × messages at most 100,000,000")
        }
    }

    // A row and one timed run are what bench nops measures too: its time, and the server's syscalls.
    typealias Sample = BenchNopsCommand.Sample
    typealias Variant = BenchNopsCommand.Variant

    func run() throws {
        var variants = [
            baseline("a", "C epoll (1 thread, blocking sockets)") { listener in
                var o = cref_echo_outcome()
                let result = cref_epoll_echo(listener, UInt32(connections), 2048, &o)
                guard result == 0 else { throw ValidationError("epoll echo server: errno \(-result)") }
                return (Int(o.bytes), Int(o.failed), Int(o.syscalls))
            },
            baseline("b", "io_uring from user space, no BPF") { listener in
                let o = try UringEchoServer(listener: listener, connections: connections, bufferSize: 2048).run()
                return (o.bytes, o.failed, o.syscalls)
            },
            try loopProgram("c", "BPF echo, user mode (JIT)", mode: .user, engine: .jit),
        ]
        var kernelNote: String?
        let kernel = KernelLoopSupport.probe()
        if kernel.available {
            do {
                variants.append(try loopProgram("d", "BPF echo, kernel mode", mode: .kernel, engine: .default))
            } catch {
                kernelNote = "kernel mode: setup failed (\(error))"
            }
        } else {
            kernelNote = "kernel mode: unavailable (\(kernel.reason))"
        }
        variants.append(try loopProgram("e", "BPF echo, user mode (interpreter)", mode: .user, engine: .interpreter))

        let samples = try BenchNopsCommand.Variant.interleaved(variants, repetitions: repetitions)

        let total = Double(connections * messages)
        print("bench echo: \(connections) connections × \(messages) messages × \(size) B on 127.0.0.1, median of "
              + "\(repetitions) interleaved runs per variant (after a warm-up run); load average "
              + ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
                  .joined(separator: " ") ?? "unknown"))
        let width = 38
        print("    " + "variant".padding(toLength: width, withPad: " ", startingAt: 0)
              + "        ms       min       max     µs/msg   syscalls/msg   ratio to (a)")
        var medians: [Double] = []
        for (i, variant) in variants.enumerated() {
            let times = samples[i].map { Double($0.nanoseconds) / 1e6 }.sorted()
            let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
            medians.append(median)
            let syscalls = Double(samples[i].map(\.syscalls).sorted()[samples[i].count / 2]) / total
            print("(\(variant.label)) " + variant.title.padding(toLength: width, withPad: " ", startingAt: 0)
                  + String(format: " %9.1f %9.1f %9.1f %10.2f %14.3f %14.2f", median, times.first!, times.last!,
                           median * 1e3 / total, syscalls, median / medians[0]))
        }
        print("messages/s: " + zip(variants, medians).map { "(\($0.label)) \(Int(total / ($1 / 1e3)))" }
            .joined(separator: ", "))
        if let kernelNote { print(kernelNote) }
        print("(syscalls counted on the server side: io_uring_enter for the ring variants — 1 per run in kernel mode — "
              + "and epoll_wait, read, send, accept4, epoll_ctl, close for epoll)")
        #if DEBUG
        print("note: this is a debug build, whose Swift rows mean little; measure with: swift run -c release uring-bpf bench echo")
        #endif
    }

    /// The clients against a server running on its own thread; checks what both sides saw.
    private func measure(_ title: String, listener: Int32, port: UInt16,
                         serve: @escaping @Sendable () throws -> (bytes: Int, failed: Int, syscalls: Int)) throws -> Sample {
        let server = ServerThread(serve)
        let load = EchoClient.run(port: port, connections: connections, messages: messages, size: size)
        // A client that failed leaves the server waiting for its connection: the command ends here instead.
        guard load.failures.isEmpty else { throw ValidationError("\(title): \(load.failures.map(\.description).joined(separator: "; "))") }
        let served = try server.wait()
        let expected = connections * messages * size
        guard served.bytes == expected, served.failed == 0 else {
            throw ValidationError("\(title): the server echoed \(served.bytes) bytes of \(expected), \(served.failed) connections failed")
        }
        return Sample(nanoseconds: Int64(load.elapsed.components.seconds) * 1_000_000_000
                      + load.elapsed.components.attoseconds / 1_000_000_000, syscalls: served.syscalls)
    }

    private func baseline(_ label: String, _ title: String,
                          _ serve: @escaping @Sendable (Int32) throws -> (Int, Int, Int)) -> Variant {
        Variant(label: label, title: title) {
            let (listener, port) = try EchoServer.listeningSocket(address: "127.0.0.1", port: 0)
            defer { close(listener) }
            return try measure(title, listener: listener, port: port) { try serve(listener) }
        }
    }

    private func loopProgram(_ label: String, _ title: String, mode: LoopMode, engine: ExecutionEngine) throws -> Variant {
        var options = LoopOptions()
        options.mode = mode
        options.engine = engine
        options.timeout = .seconds(300)
        // Fails here, not in the middle of the measurements, when the mode is unavailable.
        _ = try EchoServer(maxConnections: connections, options: options)
        let connections = connections
        return Variant(label: label, title: title) {
            let server = try EchoServer(maxConnections: connections, options: options)
            defer { server.close() }
            return try measure(title, listener: server.listener, port: server.port) {
                let statistics = try server.run()
                let c = try server.counters
                guard c.error == 0, c.closed == UInt32(connections), c.inflight == 0 else {
                    throw ValidationError("\(title): error \(c.error), \(c.closed) connections closed, \(c.inflight) requests in flight")
                }
                return (Int(c.bytes), Int(c.resets + c.connectionErrors), statistics.syscalls)
            }
        }
    }
}

/// A server running on a thread of its own until it stops by itself.
private final class ServerThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<(bytes: Int, failed: Int, syscalls: Int), any Error> = .failure(CancellationError())

    init(_ body: @escaping @Sendable () throws -> (bytes: Int, failed: Int, syscalls: Int)) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    func wait() throws -> (bytes: Int, failed: Int, syscalls: Int) {
        done.wait()
        return try result.get()
    }
}
