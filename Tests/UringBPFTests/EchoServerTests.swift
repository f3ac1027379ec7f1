#if canImport(Glibc)
import Glibc
#endif
import BPFJIT
import Foundation
import Testing
import UringBPF
import UringBPFExamples

/// Where the echo server is tested: user mode on both engines, and kernel mode where the kernel can (the VM).
let echoConfigurations: [(mode: LoopMode, engine: ExecutionEngine)] =
    [(.user, .jit), (.user, .interpreter)] + (loopModes.contains(.kernel) ? [(.kernel, .default)] : [])

/// The sockets of this process bound to local `port`: the listener and the server's side of its connections.
func socketsBound(to port: UInt16) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return entries.compactMap(Int32.init).filter { fd in
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return named == 0 && address.sin_family == sa_family_t(AF_INET) && UInt16(bigEndian: address.sin_port) == port
    }
}

/// Runs `server` on a thread of its own; `wait()` returns how its run ended.
final class ServingThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<LoopStatistics, LoopError>?

    init(_ server: EchoServer) {
        Thread { [self] in
            outcome = Result { () throws(LoopError) in try server.run() }
            done.signal()
        }.start()
    }

    /// How the run ended (nil if it still ran after `seconds`).
    func wait(seconds: Double = 60) -> Result<LoopStatistics, LoopError>? {
        done.wait(timeout: .now() + seconds) == .success ? outcome : nil
    }
}

@Suite("The echo example serves TCP connections")
struct EchoServerTests {
    func options(_ mode: LoopMode, _ engine: ExecutionEngine) -> LoopOptions {
        var options = LoopOptions()
        options.mode = mode
        options.engine = engine
        options.timeout = .seconds(120)
        return options
    }

    @Test("concurrent clients get back exactly what they sent, then the server stops by itself",
          arguments: echoConfigurations.indices)
    func servesConcurrentClients(_ configuration: Int) throws {
        let (mode, engine) = echoConfigurations[configuration]
        // 3000-byte messages are larger than a connection's 2048-byte buffer: each comes back in two sends.
        let connections = 6, messages = 10, size = 3000
        let server = try EchoServer(maxConnections: connections, options: options(mode, engine))
        defer { server.close() }
        let serving = ServingThread(server)
        let load = EchoClient.run(port: server.port, connections: connections, messages: messages, size: size)
        #expect(load.failures.isEmpty, "\(load.failures)")
        #expect(load.messages == connections * messages)
        let ended = try #require(serving.wait(), "the server did not stop after its \(connections) connections")
        _ = try ended.get()
        let c = try server.counters
        #expect(c.accepted == UInt32(connections) && c.closed == UInt32(connections) && c.active == 0)
        #expect(c.bytes == UInt64(connections * messages * size))
        #expect(c.messages >= UInt64(connections * messages))
        #expect(c.error == 0 && c.resets == 0 && c.connectionErrors == 0 && c.inflight == 0)
        #expect(try server.openConnections.isEmpty)
        #expect(socketsBound(to: server.port) == [server.listener], "only the listener is left")
    }

    @Test("a client that resets its connection is counted, and its socket is closed", arguments: echoConfigurations.indices)
    func aResetConnectionIsCountedAndClosed(_ configuration: Int) throws {
        let (mode, engine) = echoConfigurations[configuration]
        let server = try EchoServer(maxConnections: 2, options: options(mode, engine))
        defer { server.close() }
        let serving = ServingThread(server)
        let resetting = try EchoClient.connect(port: server.port)
        try EchoClient.exchange(resetting, Array("before the reset".utf8))
        #expect(socketsBound(to: server.port).count == 2, "the listener and the served connection")
        EchoClient.reset(resetting)
        let load = EchoClient.run(port: server.port, connections: 1, messages: 3, size: 100)
        #expect(load.failures.isEmpty, "\(load.failures)")
        let ended = try #require(serving.wait(), "the server did not stop after its 2 connections")
        _ = try ended.get()
        let c = try server.counters
        #expect(c.resets == 1, "\(c)")
        #expect(c.lastConnectionError == -ECONNRESET)
        #expect(c.closed == 2 && c.active == 0 && c.error == 0 && c.inflight == 0, "\(c)")
        #expect(socketsBound(to: server.port) == [server.listener], "no connection socket is left open")
        server.close()
        #expect(socketsBound(to: server.port).isEmpty)
    }

    @Test("stop ends a server that serves forever: it cancels what is in flight and closes its connections",
          arguments: echoConfigurations.indices)
    func stopEndsTheServerGracefully(_ configuration: Int) throws {
        let (mode, engine) = echoConfigurations[configuration]
        let server = try EchoServer(options: options(mode, engine))
        defer { server.close() }
        let serving = ServingThread(server)
        let idle = try EchoClient.connect(port: server.port)
        defer { close(idle) }
        try EchoClient.exchange(idle, Array("hello".utf8))
        server.loop.interrupt()
        let interrupted = try #require(serving.wait(), "interrupt() did not end the run")
        #expect(throws: LoopError.self) { try interrupted.get() }
        try server.stop(timeout: .seconds(30))
        let c = try server.counters
        #expect(c.accepted == 1 && c.closed == 1 && c.active == 0 && c.inflight == 0 && c.error == 0, "\(c)")
        var byte: UInt8 = 0
        #expect(recv(idle, &byte, 1, 0) == 0, "the client sees the server close the connection")
        #expect(socketsBound(to: server.port) == [server.listener])
    }

    @Test("uring-bpf serve-echo serves --connections connections, then exits 0 with its counters")
    func serveEchoStopsByItself() throws {
        // A free port: bound, then released for the CLI (nothing else here listens on ephemeral ports).
        let (probe, port) = try EchoServer.listeningSocket(address: "127.0.0.1", port: 0)
        close(probe)
        let process = try CLIProcess(["serve-echo", "--port", "\(port)", "--connections", "2"])
        var first: Int32 = -1
        let deadline = Date().addingTimeInterval(60)
        while first < 0, Date() < deadline {
            first = (try? EchoClient.connect(port: port)) ?? -1
            if first < 0 { usleep(50_000) }
        }
        #expect(first >= 0, "serve-echo never listened on port \(port)")
        if first >= 0 {
            try EchoClient.exchange(first, Array("one".utf8))
            close(first)
        }
        let load = EchoClient.run(port: port, connections: 1, messages: 5, size: 64)
        #expect(load.failures.isEmpty, "\(load.failures)")
        let (status, output) = process.wait(seconds: 120)
        #expect(status == 0, "\(output)")
        #expect(output.contains("listening on 127.0.0.1:\(port)"), "\(output)")
        #expect(output.contains("2 connections served, 2 closed"), "\(output)")
    }
}
