import Foundation
import SystemPackage
import Uring

/// The echo server of `echo.bpf.c` written the usual way, without BPF: the application drives the ring (multishot
/// accept, then recv → send → recv per connection, partial sends resent), submitting a step's SQEs and waiting for
/// the next CQE in one `io_uring_enter`. It serves until `connections` connections have closed.
struct UringEchoServer {
    /// What a run did: the connections served, the bytes echoed, the `io_uring_enter` calls.
    struct Outcome {
        var closed = 0
        var failed = 0
        var bytes = 0
        var syscalls = 0
    }

    let listener: Int32
    let connections: Int
    let bufferSize: Int

    private enum Op: UInt64 { case accept = 1, recv, send, close }

    private struct Connection {
        var fd: Int32 = -1
        var length = 0
        var sent = 0
    }

    func run() throws -> Outcome {
        var ring = try IoUring(entries: 256, flags: [.singleIssuer, .deferTaskrun], cqEntries: 1024)
        let buffers = UnsafeMutableRawPointer.allocate(byteCount: connections * bufferSize, alignment: 64)
        defer { buffers.deallocate() }
        var conns = [Connection](repeating: Connection(), count: connections)
        var outcome = Outcome()
        var accepted = 0

        func push(_ op: Op, _ slot: Int, _ entry: SubmissionQueueEntry) throws {
            var entry = entry
            entry.userData = op.rawValue << 32 | UInt64(slot)
            try ring.push(entry)
        }
        func recv(_ slot: Int) throws {
            try push(.recv, slot, Recv(socket: .fd(FileDescriptor(rawValue: conns[slot].fd)),
                                       buffer: buffers + slot * bufferSize, length: UInt32(bufferSize)).build())
        }
        func send(_ slot: Int) throws {
            let c = conns[slot]
            try push(.send, slot, Send(socket: .fd(FileDescriptor(rawValue: c.fd)),
                                       buffer: buffers + slot * bufferSize + c.sent, length: UInt32(c.length - c.sent),
                                       flags: Int32(MSG_NOSIGNAL)).build())
        }
        func close(_ slot: Int) throws {
            try push(.close, slot, Close(file: .fd(FileDescriptor(rawValue: conns[slot].fd))).build())
        }

        try push(.accept, 0, Accept(socket: .fd(FileDescriptor(rawValue: listener)), multishot: true).build())
        var completions: [CompletionQueueEntry] = []
        while outcome.closed < connections {
            outcome.syscalls += 1
            try ring.submitAndWait(1)
            completions.removeAll(keepingCapacity: true)
            _ = try ring.forEachCompletion { completions.append($0) }
            for cqe in completions {
                let slot = Int(cqe.userData & 0xffff_ffff)
                switch Op(rawValue: cqe.userData >> 32) {
                case .accept:
                    guard cqe.result >= 0 else { throw UringError(Errno(rawValue: -cqe.result), "accept") }
                    guard accepted < connections else {
                        Glibc.close(cqe.result)
                        continue
                    }
                    conns[accepted] = Connection(fd: cqe.result)
                    try recv(accepted)
                    accepted += 1
                    if !cqe.hasMore, accepted < connections {
                        try push(.accept, 0, Accept(socket: .fd(FileDescriptor(rawValue: listener)), multishot: true).build())
                    }
                case .recv where cqe.result > 0:
                    outcome.bytes += Int(cqe.result)
                    conns[slot].length = Int(cqe.result)
                    conns[slot].sent = 0
                    try send(slot)
                case .recv:
                    if cqe.result < 0 { outcome.failed += 1 }
                    try close(slot)
                case .send where cqe.result < 0:
                    outcome.failed += 1
                    try close(slot)
                case .send:
                    conns[slot].sent += Int(cqe.result)
                    try conns[slot].sent < conns[slot].length ? send(slot) : recv(slot)
                case .close:
                    outcome.closed += 1
                case nil:
                    throw UringError(.ioError, "a CQE with user_data 0x\(String(cqe.userData, radix: 16))")
                }
            }
        }
        return outcome
    }
}
