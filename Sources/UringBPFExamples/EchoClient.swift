#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A load generator for an echo server on 127.0.0.1 (and only there): plain blocking sockets, one thread per
/// connection, every echoed byte checked.
public enum EchoClient {
    /// What went wrong on the client side, with the connection it happened on.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What failed, e.g. "connection 3, message 12: recv: Connection reset by peer".
        public var description: String
    }

    /// What a load run did.
    public struct Result: Sendable {
        /// From the first connect to the last echo (all connections).
        public var elapsed: Duration
        /// Messages echoed back intact.
        public var messages: Int
        /// Bytes echoed back intact.
        public var bytes: Int
        /// The connections that failed, and why.
        public var failures: [Failure]
    }

    /// Opens `connections` connections to 127.0.0.1:`port` at once, each on its own thread, and on each sends
    /// `messages` messages of `size` bytes, one at a time, reading each echo back in full and checking it. A socket
    /// that waits more than `timeout` for the server fails its connection, so the run always ends.
    public static func run(port: UInt16, connections: Int, messages: Int, size: Int,
                           timeout: Duration = .seconds(10)) -> Result {
        let results = ResultSlots(connections)
        let group = DispatchGroup()
        let start = ContinuousClock.now
        for c in 0..<connections {
            let thread = Thread {
                defer { group.leave() }
                results.set(c, Swift.Result { () throws(Failure) -> Int in
                    let fd = try connect(port: port, timeout: timeout, label: "connection \(c)")
                    defer { close(fd) }
                    var message = [UInt8](repeating: 0, count: size)
                    for m in 0..<messages {
                        for i in message.indices { message[i] = UInt8(truncatingIfNeeded: c &* 31 &+ m &* 7 &+ i) }
                        try exchange(fd, message, label: "connection \(c), message \(m)")
                    }
                    return messages
                })
            }
            group.enter()
            thread.start()
        }
        group.wait()
        let elapsed = ContinuousClock.now - start
        var echoed = 0
        var failures: [Failure] = []
        for result in results.all {
            switch result {
            case .success(let n): echoed += n
            case .failure(let failure): failures.append(failure)
            case nil: failures.append(Failure(description: "a connection thread never reported"))
            }
        }
        return Result(elapsed: elapsed, messages: echoed, bytes: echoed * size, failures: failures)
    }

    /// A blocking TCP connection to 127.0.0.1:`port` whose sends and receives give up after `timeout`.
    public static func connect(port: UInt16, timeout: Duration = .seconds(10),
                               label: String = "connection") throws(Failure) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "\(label): socket: \(lastError())") }
        let seconds = timeout.components.seconds
        var limit = timeval(tv_sec: Int(max(seconds, 1)), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian  // 127.0.0.1, always
        let connected = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let failure = Failure(description: "\(label): connect to 127.0.0.1:\(port): \(lastError())")
            close(fd)
            throw failure
        }
        return fd
    }

    /// Sends `message` in full on `fd`, then reads as many bytes back and checks they are the same.
    public static func exchange(_ fd: Int32, _ message: [UInt8], label: String = "connection") throws(Failure) {
        var sent = 0
        while sent < message.count {
            let n = message.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "\(label): send: \(lastError())") }
            sent += n
        }
        var echo = [UInt8](repeating: 0, count: message.count)
        var received = 0
        while received < echo.count {
            let n = echo.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, $0.count - received, 0) }
            guard n > 0 else {
                throw Failure(description: "\(label): recv: \(n == 0 ? "the server closed the connection" : lastError())")
            }
            received += n
        }
        guard echo == message else { throw Failure(description: "\(label): the echo differs from what was sent") }
    }

    /// Ends the connection with a reset (RST) rather than an orderly close: SO_LINGER with a zero timeout.
    public static func reset(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// One result per connection, written by the connection's thread.
private final class ResultSlots: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var slots: [Result<Int, EchoClient.Failure>?]
    init(_ count: Int) {
        slots = Array(repeating: nil, count: count)
        pthread_mutex_init(&lock, nil)
    }
    deinit { pthread_mutex_destroy(&lock) }
    func set(_ i: Int, _ result: Result<Int, EchoClient.Failure>) {
        pthread_mutex_lock(&lock)
        slots[i] = result
        pthread_mutex_unlock(&lock)
    }
    var all: [Result<Int, EchoClient.Failure>?] {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return slots
    }
}
