#if canImport(Glibc)
import Glibc
#endif
import BPFObject
import Dispatch
import UringBPF

/// The `echo` example (`echo.bpf.c`) serving a TCP listening socket: the socket, the loop set up for it, and the
/// program's counters.
///
/// ``run()`` serves until the program stops by itself (after `maxConnections` connections have closed);
/// ``stop()`` ends a server gracefully after an interrupted run (the program stops accepting, shuts its
/// connections down and closes them). ``close()`` closes the listening socket and any connection the program
/// left open (only a program that failed does).
public final class EchoServer: @unchecked Sendable {
    /// The loop running `echo.bpf.c`.
    public let loop: UringLoop
    /// The address the socket listens on.
    public let address: String
    /// The port it listens on (the one the kernel picked when 0 was asked for).
    public let port: UInt16
    /// The listening socket, -1 once closed.
    public private(set) var listener: Int32

    /// Connections the program serves at once (`MAX_CONNS` in `echo.bpf.c`).
    public static let slots = 256

    /// Listens on `address`:`port` (port 0: any free port) and loads `echo.bpf.c` to serve it. The program stops
    /// after `maxConnections` connections have closed (0: only when stopped); each connection has a
    /// `bufferSize`-byte buffer in the loop's MEM region. `options` gives the mode, the engine and the rest; the
    /// ring, MEM region and the program's settings are set here.
    public init(address: String = "127.0.0.1", port: UInt16 = 0, maxConnections: Int = 0, bufferSize: Int = 2048,
                options: LoopOptions = LoopOptions()) throws(LoopError) {
        guard (1...(1 << 20)).contains(bufferSize) else {
            throw LoopError(.badArgument, "the buffer size must be 1...\(1 << 20) bytes, not \(bufferSize)")
        }
        guard maxConnections >= 0, maxConnections <= Int(UInt32.max) else {
            throw LoopError(.badArgument, "the number of connections must be 0...\(UInt32.max), not \(maxConnections)")
        }
        let (listener, port) = try Self.listeningSocket(address: address, port: port)
        let options = Self.options(options, listener: listener, maxConnections: maxConnections, bufferSize: bufferSize)
        do {
            loop = try UringLoop(object: try ObjectFile(bytes: Echo.bytes), options: options)
        } catch let error as LoopError {
            Glibc.close(listener)
            throw error
        } catch {
            Glibc.close(listener)
            throw LoopError(.loadFailed, "echo.bpf.o: \(error)")
        }
        (self.address, self.port, self.listener) = (address, port, listener)
    }

    deinit { close() }

    /// Serves until the program stops (see ``UringLoop/run()-6v7b0``).
    @discardableResult
    public func run() throws(LoopError) -> LoopStatistics { try loop.run() }

    /// Ends the server after a run that was interrupted (or timed out): sets the program's `stop` and runs it
    /// until it has closed every connection, within `timeout`.
    @discardableResult
    public func stop(timeout: Duration = .seconds(5)) throws(LoopError) -> LoopStatistics {
        try loop.globals.set("stop", to: UInt32(1))
        // A watchdog, not LoopOptions.timeout: that is fixed when the loop is made.
        let running = RunFlag()
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { [loop] in
            if running.isSet { loop.interrupt() }
        }
        defer { running.clear() }
        return try loop.run()
    }

    /// The program's counters.
    public var counters: EchoCounters {
        get throws(LoopError) { try EchoCounters(loop.globals) }
    }

    /// The fds of connections the program has open (none once it stopped by itself).
    public var openConnections: [Int32] {
        get throws(LoopError) {
            let conns = try loop.globals.value(Echo.Globals.conns)
            var fds: [Int32] = []
            for i in conns.indices where conns[i].state == 1 || conns[i].state == 2 { fds.append(conns[i].fd) }
            return fds
        }
    }

    /// Closes the listening socket and the connections the program left open. Call it when done with the server:
    /// the program must not run again.
    public func close() {
        for fd in (try? openConnections) ?? [] { Glibc.close(fd) }
        if listener >= 0 { Glibc.close(listener) }
        listener = -1
    }

    /// `options` with what `echo.bpf.c` needs to serve `listener`: a ring of at least 64 SQ and 1024 CQ entries, a
    /// MEM region of ``slots`` buffers of `bufferSize` bytes, and its globals.
    public static func options(_ options: LoopOptions, listener: Int32, maxConnections: Int,
                               bufferSize: Int) -> LoopOptions {
        var options = options
        options.sqEntries = max(options.sqEntries, 64)
        options.cqEntries = max(options.cqEntries, 1024)
        options.memSize = slots * bufferSize
        options.globals += [
            ("listen_fd", .integer(Int128(listener))), ("buf_addr", .memAddress(offset: 0)),
            ("buf_size", .integer(Int128(bufferSize))), ("max_conns", .integer(Int128(maxConnections))),
        ]
        return options
    }

    /// A TCP socket listening on `address`:`port` (SO_REUSEADDR, a backlog of 1024), and the port it got (the
    /// kernel picks one for port 0).
    public static func listeningSocket(address: String, port: UInt16) throws(LoopError) -> (fd: Int32, port: UInt16) {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &sin.sin_addr) == 1 else {
            throw LoopError(.badArgument, "'\(address)' is not an IPv4 address")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LoopError(.runFailed, errno: .init(rawValue: errno), "socket(AF_INET, SOCK_STREAM)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let failed: String? = withUnsafeMutablePointer(to: &sin) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                if bind(fd, address, length) != 0 { return "bind" }
                if Glibc.listen(fd, 1024) != 0 { return "listen" }
                if getsockname(fd, address, &length) != 0 { return "getsockname" }
                return nil
            }
        }
        if let failed {
            let code = errno
            Glibc.close(fd)
            throw LoopError(.badArgument, errno: .init(rawValue: code), "\(failed) on \(address):\(port)")
        }
        return (fd, UInt16(bigEndian: sin.sin_port))
    }
}

/// What `echo.bpf.c` counts (its globals of the same names).
public struct EchoCounters: Sendable, Equatable {
    /// Connections accepted and served.
    public var accepted: UInt32
    /// Connections closed after being served.
    public var closed: UInt32
    /// Connections open.
    public var active: UInt32
    /// Connections closed at once (all slots busy, or the server stopping).
    public var refused: UInt32
    /// Receives that brought data.
    public var messages: UInt64
    /// Bytes received (and echoed).
    public var bytes: UInt64
    /// Sends that sent only part of what was left.
    public var partialSends: UInt32
    /// Connections ended by ECONNRESET or EPIPE.
    public var resets: UInt32
    /// Connections ended by another error.
    public var connectionErrors: UInt32
    /// The last error a connection ended with (0 or -errno).
    public var lastConnectionError: Int32
    /// Requests in flight.
    public var inflight: UInt32
    /// 0, or the -errno that stopped the server.
    public var error: Int32

    init(_ g: GlobalVariables) throws(LoopError) {
        accepted = try g.value(Echo.Globals.accepted)
        closed = try g.value(Echo.Globals.closed)
        active = try g.value(Echo.Globals.active)
        refused = try g.value(Echo.Globals.refused)
        messages = try g.value(Echo.Globals.messages)
        bytes = try g.value(Echo.Globals.bytes)
        partialSends = try g.value(Echo.Globals.partial_sends)
        resets = try g.value(Echo.Globals.resets)
        connectionErrors = try g.value(Echo.Globals.conn_errors)
        lastConnectionError = try g.value(Echo.Globals.last_conn_error)
        inflight = try g.value(Echo.Globals.inflight)
        error = try g.value(Echo.Globals.error)
    }
}

/// Whether a run is still in progress, for a watchdog on another thread.
private final class RunFlag: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var set = true
    init() { pthread_mutex_init(&lock, nil) }
    deinit { pthread_mutex_destroy(&lock) }
    var isSet: Bool {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return set
    }
    func clear() {
        pthread_mutex_lock(&lock)
        set = false
        pthread_mutex_unlock(&lock)
    }
}
