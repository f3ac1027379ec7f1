import SystemPackage
import Testing
@testable import Uring

/// Ported from liburing's link, link_drain, link-timeout, submit-link-fail, timeout and io-cancel behaviour.
@Suite(.requiresUring, .timeLimit(.minutes(1))) struct LinkTests {
    static let badFile = FileTarget.fd(FileDescriptor(rawValue: -1))

    @Test func failureCancelsTheRestOfTheChain() throws {
        var ring = try IoUring(entries: 8)
        let completions = try run(&ring, [
            Nop().build().withUserData(1).withFlags(.ioLink),
            Read(file: Self.badFile, buffer: nil, length: 0).build().withUserData(2).withFlags(.ioLink),
            Nop().build().withUserData(3).withFlags(.ioLink),
            Nop().build().withUserData(4),
            Nop().build().withUserData(5),  // not part of the chain
        ])
        let results = Dictionary(uniqueKeysWithValues: completions.map { ($0.userData, $0.result) })
        #expect(results == [1: 0, 2: negative(.badFileDescriptor), 3: negative(.canceled),
                            4: negative(.canceled), 5: 0])
    }

    @Test func hardlinkKeepsGoingAfterFailure() throws {
        var ring = try IoUring(entries: 8)
        let completions = try run(&ring, [
            Read(file: Self.badFile, buffer: nil, length: 0).build().withUserData(1).withFlags(.ioHardlink),
            Nop().build().withUserData(2).withFlags(.ioHardlink),
            Nop().build().withUserData(3),
        ])
        #expect(completions.map(\.userData) == [1, 2, 3])
        #expect(completions.map(\.result) == [negative(.badFileDescriptor), 0, 0])
    }

    @Test func linkedRequestsRunInOrder() throws {
        var ring = try IoUring(entries: 8)
        let file = try TemporaryFile()
        let data: [UInt8] = Array("linked write then read".utf8)
        var readBack = [UInt8](repeating: 0, count: data.count)
        let completions = try data.withUnsafeBytes { source in
            try readBack.withUnsafeMutableBytes { target in
                try run(&ring, [
                    Write(file: .fd(file.fd), buffer: UnsafeMutableRawPointer(mutating: source.baseAddress),
                          length: UInt32(data.count)).build().withUserData(1).withFlags(.ioLink),
                    Fsync(file: .fd(file.fd)).build().withUserData(2).withFlags(.ioLink),
                    Read(file: .fd(file.fd), buffer: target.baseAddress, length: UInt32(data.count)).build()
                        .withUserData(3),
                ])
            }
        }
        #expect(completions.map(\.userData) == [1, 2, 3])
        #expect(completions.map(\.result) == [Int32(data.count), 0, Int32(data.count)])
        #expect(readBack == data)
    }

    @Test func drainWaitsForEverythingBefore() throws {
        var ring = try IoUring(entries: 8)
        var time = KernelTimespec(seconds: 0, nanoseconds: 30_000_000)
        let completions = try run(&ring, [
            Timeout(timespec: &time).build().withUserData(1),
            Nop().build().withUserData(2).withFlags(.ioDrain),
            Nop().build().withUserData(3),
        ])
        let order = completions.map(\.userData)
        // The drained NOP may not complete before the timeout it waits for; an undrained one may.
        #expect(order.firstIndex(of: 1)! < order.firstIndex(of: 2)!)
        #expect(completions.first { $0.userData == 1 }?.result == negative(Errno(rawValue: 62)))
    }

    @Test func linkTimeoutCancelsASlowRequest() throws {
        var ring = try IoUring(entries: 8)
        let pipe = try makePipe()
        defer { try? pipe.read.close(); try? pipe.write.close() }
        var buffer = [UInt8](repeating: 0, count: 16)
        var time = KernelTimespec(seconds: 0, nanoseconds: 20_000_000)
        let completions = try buffer.withUnsafeMutableBytes { bytes in
            try run(&ring, [
                Read(file: .fd(pipe.read), buffer: bytes.baseAddress, length: 16).build().withUserData(1)
                    .withFlags(.ioLink),
                LinkTimeout(timespec: &time).build().withUserData(2),
            ])
        }
        let results = Dictionary(uniqueKeysWithValues: completions.map { ($0.userData, $0.result) })
        #expect(results == [1: negative(.canceled), 2: negative(Errno(rawValue: 62))])
    }

    @Test func linkTimeoutDoesNotFireWhenTheRequestIsFast() throws {
        var ring = try IoUring(entries: 8)
        var time = KernelTimespec(seconds: 1, nanoseconds: 0)
        let completions = try run(&ring, [
            Nop().build().withUserData(1).withFlags(.ioLink),
            LinkTimeout(timespec: &time).build().withUserData(2),
        ])
        let results = Dictionary(uniqueKeysWithValues: completions.map { ($0.userData, $0.result) })
        #expect(results == [1: 0, 2: negative(.canceled)])
    }

    @Test func timeoutExpiresWithETIME() throws {
        var ring = try IoUring(entries: 4)
        var time = KernelTimespec(seconds: 0, nanoseconds: 20_000_000)
        let start = now()
        let completions = try run(&ring, [Timeout(timespec: &time).build().withUserData(7)])
        #expect(now() - start >= 19_000_000)
        #expect(completions.first?.result == negative(Errno(rawValue: 62)))
    }

    @Test func timeoutCompletesAfterCountCompletions() throws {
        var ring = try IoUring(entries: 4)
        var time = KernelTimespec(seconds: 5, nanoseconds: 0)
        let completions = try run(&ring, [
            Timeout(timespec: &time, count: 2).build().withUserData(1),
            Nop().build().withUserData(2),
            Nop().build().withUserData(3),
        ])
        #expect(completions.first { $0.userData == 1 }?.result == 0)
    }

    @Test func timeoutCanBeRemovedAndUpdated() throws {
        var ring = try IoUring(entries: 4)
        var long = KernelTimespec(seconds: 10, nanoseconds: 0)
        var short = KernelTimespec(seconds: 0, nanoseconds: 10_000_000)
        let updated = try run(&ring, [
            Timeout(timespec: &long).build().withUserData(1),
            TimeoutUpdate(target: 1, timespec: &short).build().withUserData(2),
        ])
        let updateResults = Dictionary(uniqueKeysWithValues: updated.map { ($0.userData, $0.result) })
        #expect(updateResults == [1: negative(Errno(rawValue: 62)), 2: 0])

        let removed = try run(&ring, [
            Timeout(timespec: &long).build().withUserData(3),
            TimeoutRemove(target: 3).build().withUserData(4),
        ])
        let removeResults = Dictionary(uniqueKeysWithValues: removed.map { ($0.userData, $0.result) })
        #expect(removeResults == [3: negative(.canceled), 4: 0])
        #expect(try run(&ring, [TimeoutRemove(target: 99).build().withUserData(5)]).first?.result
            == negative(.noSuchFileOrDirectory))
    }
}
