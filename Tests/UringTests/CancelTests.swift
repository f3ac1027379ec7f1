import SystemPackage
import Testing
@testable import Uring

/// Ported from liburing's io-cancel and cancel-fd-userdata behaviour.
@Suite(.requiresUring, .timeLimit(.minutes(1))) struct CancelTests {
    @Test(arguments: ["userData", "fd", "any"])
    func pendingReadIsCancelled(by key: String) throws {
        var ring = try IoUring(entries: 8)
        let pipe = try makePipe()
        defer { try? pipe.read.close(); try? pipe.write.close() }
        var buffer = [UInt8](repeating: 0, count: 8)
        try buffer.withUnsafeMutableBytes { bytes in
            try ring.push(Read(file: .fd(pipe.read), buffer: bytes.baseAddress, length: 8).build().withUserData(1))
            try ring.submit()
            let cancelKey: AsyncCancel.Key = switch key {
            case "userData": .userData(1)
            case "fd": .file(.fd(pipe.read))
            default: .any
            }
            var completions: [UInt64: Int32] = [:]
            try ring.push(AsyncCancel(cancelKey).build().withUserData(2))
            try ring.submit()
            while completions.count < 2 {
                let completion = try ring.waitCompletion()
                completions[completion.userData] = completion.result
            }
            // CANCEL_ANY reports how many it cancelled; the keyed forms report 0.
            #expect(completions == [1: negative(.canceled), 2: key == "any" ? 1 : 0])
        }
    }

    @Test func cancellingNothingIsENOENT() throws {
        var ring = try IoUring(entries: 4)
        let completions = try run(&ring, [AsyncCancel(.userData(42)).build().withUserData(1)])
        #expect(completions.first?.result == negative(.noSuchFileOrDirectory))
    }

    @Test func cancelAllCountsMatches() throws {
        var ring = try IoUring(entries: 8)
        let pipe = try makePipe()
        defer { try? pipe.read.close(); try? pipe.write.close() }
        for index in 0..<3 {
            try ring.push(PollAdd(file: .fd(pipe.read), events: UInt32(POLLIN)).build().withUserData(UInt64(index)))
        }
        try ring.submit()
        try ring.push(AsyncCancel(.file(.fd(pipe.read)), all: true).build().withUserData(10))
        try ring.submit()
        var results: [UInt64: Int32] = [:]
        while results.count < 4 {
            let completion = try ring.waitCompletion()
            results[completion.userData] = completion.result
        }
        #expect(results[10] == 3)
        #expect((0..<3).allSatisfy { results[UInt64($0)] == negative(.canceled) })
    }

    @Test func pollRemoveCancelsAPoll() throws {
        var ring = try IoUring(entries: 4)
        let pipe = try makePipe()
        defer { try? pipe.read.close(); try? pipe.write.close() }
        try ring.push(PollAdd(file: .fd(pipe.read), events: UInt32(POLLIN)).build().withUserData(1))
        try ring.submit()
        try ring.push(PollRemove(target: 1).build().withUserData(2))
        try ring.submit()
        var results: [UInt64: Int32] = [:]
        while results.count < 2 {
            let completion = try ring.waitCompletion()
            results[completion.userData] = completion.result
        }
        #expect(results == [1: negative(.canceled), 2: 0])
    }
}

import Glibc
