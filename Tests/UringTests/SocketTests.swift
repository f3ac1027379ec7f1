import Glibc
import SystemPackage
import Testing
@testable import Uring

/// Ported from liburing's send_recv, socket-rw, accept, recv-multishot and buf-ring behaviour.
@Suite(.requiresUring, .timeLimit(.minutes(1))) struct SocketTests {
    @Test func socketpairSendRecv() throws {
        var ring = try IoUring(entries: 8)
        let (a, b) = try socketPair()
        defer { try? a.close(); try? b.close() }
        var message = Array("hello over io_uring".utf8)
        var received = [UInt8](repeating: 0, count: 64)
        let completions = try message.withUnsafeMutableBytes { out in
            try received.withUnsafeMutableBytes { into in
                try run(&ring, [
                    Recv(socket: .fd(b), buffer: into.baseAddress, length: 64).build().withUserData(2),
                    Send(socket: .fd(a), buffer: out.baseAddress, length: UInt32(out.count)).build().withUserData(1),
                ])
            }
        }
        let results = Dictionary(uniqueKeysWithValues: completions.map { ($0.userData, $0.result) })
        #expect(results == [1: Int32(message.count), 2: Int32(message.count)])
        #expect(Array(received.prefix(message.count)) == message)
    }

    @Test func partialRecvReportsSocketNonEmpty() throws {
        var ring = try IoUring(entries: 4)
        let (a, b) = try socketPair()
        defer { try? a.close(); try? b.close() }
        _ = try [UInt8](repeating: 7, count: 100).withUnsafeBytes { try a.write($0) }
        var buffer = [UInt8](repeating: 0, count: 10)
        let first = try buffer.withUnsafeMutableBytes { bytes in
            try run(&ring, [Recv(socket: .fd(b), buffer: bytes.baseAddress, length: 10).build()])
        }
        #expect(first.first?.result == 10)
        #expect(first.first?.flags.contains(.socketNonEmpty) == true, "90 bytes are still queued")
        var rest = [UInt8](repeating: 0, count: 200)
        let second = try rest.withUnsafeMutableBytes { bytes in
            try run(&ring, [Recv(socket: .fd(b), buffer: bytes.baseAddress, length: 200).build()])
        }
        #expect(second.first?.result == 90)
        #expect(second.first?.flags.contains(.socketNonEmpty) == false)
    }

    @Test func sendmsgRecvmsg() throws {
        var ring = try IoUring(entries: 8)
        let (a, b) = try socketPair()
        defer { try? a.close(); try? b.close() }
        var out = Array("message header".utf8)
        var into = [UInt8](repeating: 0, count: 32)
        let completions = try out.withUnsafeMutableBytes { outBytes in
            try into.withUnsafeMutableBytes { inBytes in
                var outVector = iovec(iov_base: outBytes.baseAddress, iov_len: outBytes.count)
                var inVector = iovec(iov_base: inBytes.baseAddress, iov_len: inBytes.count)
                var sendHeader = msghdr()
                var recvHeader = msghdr()
                return try withUnsafeMutablePointer(to: &outVector) { outVectorPointer in
                    try withUnsafeMutablePointer(to: &inVector) { inVectorPointer in
                        sendHeader.msg_iov = outVectorPointer
                        sendHeader.msg_iovlen = 1
                        recvHeader.msg_iov = inVectorPointer
                        recvHeader.msg_iovlen = 1
                        return try withUnsafeMutablePointer(to: &sendHeader) { sendPointer in
                            try withUnsafeMutablePointer(to: &recvHeader) { recvPointer in
                                try run(&ring, [
                                    SendMsg(socket: .fd(a), message: UnsafeMutableRawPointer(sendPointer)).build()
                                        .withUserData(1),
                                    RecvMsg(socket: .fd(b), message: UnsafeMutableRawPointer(recvPointer)).build()
                                        .withUserData(2),
                                ])
                            }
                        }
                    }
                }
            }
        }
        #expect(completions.allSatisfy { $0.result == Int32(out.count) })
        #expect(Array(into.prefix(out.count)) == out)
    }

    @Test func loopbackTCPAcceptConnectSendRecv() throws {
        var ring = try IoUring(entries: 8)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                #expect(bind(listener, raw, length) == 0)
                #expect(listen(listener, 4) == 0)
                #expect(getsockname(listener, raw, &length) == 0)
                // The client socket comes from io_uring too.
                let created = try run(&ring, [Socket(domain: AF_INET, type: Int32(SOCK_STREAM.rawValue)).build()])
                let client = try #require(created.first?.result)
                #expect(client >= 0)
                defer { close(client) }
                let connected = try run(&ring, [
                    Accept(socket: .fd(FileDescriptor(rawValue: listener))).build().withUserData(1),
                    Connect(socket: .fd(FileDescriptor(rawValue: client)), address: raw, addressLength: length).build()
                        .withUserData(2),
                ])
                let results = Dictionary(uniqueKeysWithValues: connected.map { ($0.userData, $0.result) })
                #expect(results[2] == 0)
                let server = try #require(results[1])
                #expect(server >= 0)
                defer { close(server) }
                var payload = Array("over TCP".utf8)
                var received = [UInt8](repeating: 0, count: 16)
                let exchanged = try payload.withUnsafeMutableBytes { out in
                    try received.withUnsafeMutableBytes { into in
                        try run(&ring, [
                            Send(socket: .fd(FileDescriptor(rawValue: client)), buffer: out.baseAddress,
                                 length: UInt32(out.count)).build().withUserData(3),
                            Recv(socket: .fd(FileDescriptor(rawValue: server)), buffer: into.baseAddress, length: 16)
                                .build().withUserData(4),
                        ])
                    }
                }
                #expect(exchanged.allSatisfy { $0.result == Int32(payload.count) })
                #expect(Array(received.prefix(payload.count)) == payload)
                let shut = try run(&ring, [Shutdown(socket: .fd(FileDescriptor(rawValue: client)), how: Int32(SHUT_WR)).build()])
                #expect(shut.first?.result == 0)
                let eof = try received.withUnsafeMutableBytes { into in
                    try run(&ring, [Recv(socket: .fd(FileDescriptor(rawValue: server)), buffer: into.baseAddress,
                                         length: 16).build()])
                }
                #expect(eof.first?.result == 0, "recv after the peer's SHUT_WR sees EOF")
            }
        }
    }

    @Test func multishotRecvWithBufferRing() throws {
        var ring = try IoUring(entries: 8)
        let (a, b) = try socketPair()
        // `a` is closed mid-test to end the multishot with EOF: close it once only, or the defer would
        // close whatever fd number another test has been given meanwhile.
        var aIsOpen = true
        defer { if aIsOpen { try? a.close() }; try? b.close() }
        let buffers = try ring.registerBufferRing(groupID: 7, entries: 4, bufferSize: 64)
        try ring.push(Recv(socket: .fd(b), bufferGroup: 7, multishot: true).build().withUserData(1))
        try ring.submit()
        var seenIDs: Set<UInt16> = []
        for index in 0..<6 {
            let message = Array("chunk \(index)".utf8)
            _ = try message.withUnsafeBytes { try a.write($0) }
            let completion = try ring.waitCompletion()
            #expect(completion.userData == 1)
            #expect(completion.result == Int32(message.count))
            #expect(completion.hasMore, "multishot recv stays armed")
            let id = try #require(completion.bufferID)
            seenIDs.insert(id)
            #expect(Array(buffers.buffer(id: id).prefix(message.count)) == message)
            buffers.recycle(id: id)  // 6 messages through 4 buffers only work if recycling works
        }
        #expect(seenIDs.count >= 2)
        try a.close()
        aIsOpen = false
        let last = try ring.waitCompletion()
        #expect(last.result == 0)
        #expect(!last.hasMore, "EOF ends the multishot")
        try ring.unregisterBufferRing(groupID: 7)
    }

    @Test func multishotRecvWithoutBuffersIsEINVAL() throws {
        var ring = try IoUring(entries: 4)
        let (a, b) = try socketPair()
        defer { try? a.close(); try? b.close() }
        var buffer = [UInt8](repeating: 0, count: 16)
        let completions = try buffer.withUnsafeMutableBytes { bytes in
            try run(&ring, [Recv(socket: .fd(b), buffer: bytes.baseAddress, length: 16, multishot: true).build()])
        }
        #expect(completions.first?.result == negative(.invalidArgument))
    }

    @Test func multishotPollReportsEveryEvent() throws {
        var ring = try IoUring(entries: 4)
        let pipe = try makePipe()
        defer { try? pipe.read.close(); try? pipe.write.close() }
        try ring.push(PollAdd(file: .fd(pipe.read), events: UInt32(POLLIN), multishot: true).build().withUserData(1))
        try ring.submit()
        var byte: UInt8 = 1
        for _ in 0..<3 {
            #expect(write(pipe.write.rawValue, &byte, 1) == 1)
            let completion = try ring.waitCompletion()
            #expect(completion.result & Int32(POLLIN) != 0)
            #expect(completion.hasMore)
            #expect(read(pipe.read.rawValue, &byte, 1) == 1)
        }
        _ = try run(&ring, [PollRemove(target: 1).build().withUserData(2)], expecting: 2)
    }

    @Test func multishotAcceptTakesSeveralConnections() throws {
        var ring = try IoUring(entries: 8)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = "/tmp/uring-accept-\(getpid())-\(now())"
        unlink(path)
        defer { unlink(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.enumerated() { bytes[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        try withUnsafePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                #expect(bind(listener, raw, length) == 0)
                #expect(listen(listener, 8) == 0)
                try ring.push(Accept(socket: .fd(FileDescriptor(rawValue: listener)), multishot: true).build()
                    .withUserData(1))
                try ring.submit()
                for _ in 0..<3 {
                    let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
                    defer { close(client) }
                    #expect(connect(client, raw, length) == 0)
                    let completion = try ring.waitCompletion()
                    #expect(completion.result >= 0)
                    #expect(completion.hasMore)
                    close(completion.result)
                }
            }
        }
    }
}
