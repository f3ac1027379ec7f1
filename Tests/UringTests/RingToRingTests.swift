import CUringShim
import Foundation
import Glibc
import SystemPackage
import Testing
@testable import Uring

/// Ported from liburing's msg-ring, defer-taskrun and single-issuer behaviour.
@Suite(.requiresUring, .timeLimit(.minutes(1))) struct RingToRingTests {
    @Test func msgRingPostsACompletionOnAnotherRing() throws {
        var source = try IoUring(entries: 4)
        var target = try IoUring(entries: 4)
        let sent = try run(&source, [
            MsgRing(ring: .fd(target.fd), message: .data(result: 42, userData: 0xBEEF)).build().withUserData(1),
        ])
        #expect(sent.first?.result == 0)
        let received = try target.waitCompletion()
        #expect(received.userData == 0xBEEF)
        #expect(received.result == 42)
    }

    @Test func msgRingPassesARegisteredFile() throws {
        var source = try IoUring(entries: 4)
        var target = try IoUring(entries: 4)
        let file = try TemporaryFile(contents: Array("passed along".utf8))
        try source.registerFiles([file.fd])
        try target.registerSparseFiles(count: 4)
        let sent = try run(&source, [
            MsgRing(ring: .fd(target.fd), message: .file(sourceSlot: 0, targetSlot: .fixedSlot(3), userData: 77))
                .build().withUserData(1),
        ])
        #expect(sent.first?.result == 0)
        let announced = try target.waitCompletion()
        #expect(announced.userData == 77)
        var buffer = [UInt8](repeating: 0, count: 12)
        let read = try buffer.withUnsafeMutableBytes { bytes in
            try run(&target, [Read(file: .fixed(3), buffer: bytes.baseAddress, length: 12).build()])
        }
        #expect(read.first?.result == 12)
        #expect(buffer == Array("passed along".utf8))
    }

    @Test func deferTaskrunRingRefusesOtherThreads() throws {
        var ring = try IoUring(entries: 4, flags: [.singleIssuer, .deferTaskrun])
        // The owner thread can submit and wait.
        #expect(try run(&ring, [Nop().build().withUserData(1)]).first?.result == 0)
        let fd = ring.fd.rawValue
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var otherResult: Int32 = 0
        let thread = Thread {
            otherResult = cus_io_uring_enter(fd, 0, 1, EnterFlags.getEvents.rawValue, nil, 0)
            done.signal()
        }
        thread.start()
        done.wait()
        #expect(otherResult == negative(.fileExists), "a second task entering a DEFER_TASKRUN ring gets EEXIST")
        // And the owner still works afterwards.
        #expect(try run(&ring, [Nop().build().withUserData(2)]).first?.userData == 2)
    }

    @Test func deferTaskrunPostsDeferredCompletionsOnlyWhenWaiting() throws {
        var ring = try IoUring(entries: 4, flags: [.singleIssuer, .deferTaskrun])
        let pipe = try makePipe()
        defer { try? pipe.read.close(); try? pipe.write.close() }
        var buffer = [UInt8](repeating: 0, count: 4)
        try buffer.withUnsafeMutableBytes { bytes in
            try ring.push(Read(file: .fd(pipe.read), buffer: bytes.baseAddress, length: 4).build().withUserData(1))
            try ring.submit()
            var byte: UInt8 = 9
            #expect(write(pipe.write.rawValue, &byte, 1) == 1)
            usleep(20_000)
            // The read finished in the kernel, but its completion is task work that runs only on GETEVENTS.
            let readyBeforeWait = ring.readyCompletions
            #expect(readyBeforeWait == 0)
            let completion = try ring.waitCompletion()
            #expect(completion.userData == 1)
            #expect(completion.result == 1)
        }
    }
}
