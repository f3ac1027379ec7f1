import Glibc
import SystemPackage
import Testing
@testable import Uring

@Suite(.requiresUring, .timeLimit(.minutes(1))) struct QueueTests {
    @Test func nopCompletesWithZeroAndUserData() throws {
        var ring = try IoUring(entries: 4)
        try ring.push(Nop().build().withUserData(0xDEAD_BEEF))
        #expect(try ring.submit() == 1)
        let completion = try ring.waitCompletion()
        #expect(completion.userData == 0xDEAD_BEEF)
        #expect(completion.result == 0)
        #expect(try ring.popCompletion() == nil)
    }

    @Test func submissionQueueFullIsAnError() throws {
        var ring = try IoUring(entries: 4)
        for index in 0..<4 { try ring.push(Nop().build().withUserData(UInt64(index))) }
        #expect(ring.submissionQueue.spaceLeft == 0)
        let error = #expect(throws: UringError.self) { try ring.push(Nop().build()) }
        #expect(error?.errno == .resourceBusy)
        #expect(error?.description.contains("submission queue is full") == true)
        #expect(throws: UringError.self) { try ring.nextEntry() }
        try ring.submitAndWait(4)
        #expect(ring.submissionQueue.spaceLeft == 4)
        try ring.push(Nop().build())
        #expect(try ring.forEachCompletion { _ in } == 4)
    }

    @Test func batchIterationConsumesWithOneHeadStore() throws {
        var ring = try IoUring(entries: 16)
        for index in 0..<16 { try ring.push(Nop().build().withUserData(UInt64(index))) }
        try ring.submitAndWait(16)
        #expect(ring.readyCompletions == 16)
        let headOffset = Int(ring.parameters.cqOffsets.head)
        let rings = ring.ringsRegion
        let headBefore = rings.load(fromByteOffset: headOffset, as: UInt32.self)
        var seen: [UInt64] = []
        let count = try ring.forEachCompletion { completion in
            seen.append(completion.userData)
            // The head moves only once, after the whole batch.
            #expect(rings.load(fromByteOffset: headOffset, as: UInt32.self) == headBefore)
        }
        #expect(count == 16)
        #expect(seen == (0..<16).map(UInt64.init))
        #expect(ring.ringsRegion.load(fromByteOffset: headOffset, as: UInt32.self) == headBefore &+ 16)
        #expect(ring.readyCompletions == 0)
    }

    @Test func peekDoesNotConsume() throws {
        var ring = try IoUring(entries: 4)
        try ring.push(Nop().build().withUserData(9))
        try ring.submitAndWait(1)
        #expect(try ring.peekCompletion()?.userData == 9)
        #expect(try ring.peekCompletion()?.userData == 9)
        ring.advanceCompletions(by: 1)
        #expect(try ring.peekCompletion() == nil)
    }

    @Test func copyCompletionsTakesAtMostTheBuffer() throws {
        var ring = try IoUring(entries: 8)
        for index in 0..<8 { try ring.push(Nop().build().withUserData(UInt64(index))) }
        try ring.submitAndWait(8)
        var buffer = [CompletionQueueEntry](repeating: CompletionQueueEntry(userData: 0, result: 0, rawFlags: 0),
                                            count: 5)
        let first = try buffer.withUnsafeMutableBufferPointer { try ring.copyCompletions(into: $0) }
        #expect(first == 5)
        #expect(buffer.map(\.userData) == [0, 1, 2, 3, 4])
        let second = try buffer.withUnsafeMutableBufferPointer { try ring.copyCompletions(into: $0) }
        #expect(second == 3)
        #expect(buffer.prefix(3).map(\.userData) == [5, 6, 7])
    }

    /// liburing's cq-overflow: far more completions than CQ slots, none reaped until the end; none may be lost.
    @Test func cqOverflowLosesNoCompletion() throws {
        var ring = try IoUring(entries: 4, cqEntries: 8)
        #expect(ring.features.contains(.noDrop))
        let total = 64
        var submitted = 0
        while submitted < total {
            for _ in 0..<4 {
                try ring.push(Nop().build().withUserData(UInt64(submitted)))
                submitted += 1
            }
            try ring.submit()
        }
        let overflowed = ring.completionsNeedFlush
        #expect(overflowed, "the kernel should report CQ overflow")
        var seen: [UInt64] = []
        while seen.count < total {
            let count = try ring.forEachCompletion { seen.append($0.userData) }
            if count == 0 { break }
        }
        #expect(seen == (0..<total).map(UInt64.init))
        #expect(ring.completionQueue.overflow == 0)
        let stillOverflowed = ring.completionsNeedFlush
        #expect(!stillOverflowed)
    }

    /// The loop engine's path: raw SQEs from a shadow array copied onto the SQ tail, CQEs read from the raw region.
    @Test func rawBatchPushAndRawCompletionRead() throws {
        var ring = try IoUring(entries: 8, flags: [.noSQArray])
        let shadow = (0..<6).map { Nop().build().withUserData(UInt64(1000 + $0)) }
        try shadow.withUnsafeBufferPointer { try ring.push(contentsOf: $0) }
        // Fits-or-fails: 6 pending, 3 more do not fit.
        let tooMany = [SubmissionQueueEntry](repeating: Nop().build(), count: 3)
        #expect(throws: UringError.self) { try tooMany.withUnsafeBufferPointer { try ring.push(contentsOf: $0) } }
        #expect(ring.submissionQueue.pending == 6)
        let sqes = ring.submissionEntriesRegion
        #expect(sqes.load(fromByteOffset: 64 * 2 + 32, as: UInt64.self) == 1002)
        try ring.submitAndWait(6)
        let rings = ring.ringsRegion
        let offsets = ring.parameters.cqOffsets
        let head = rings.load(fromByteOffset: Int(offsets.head), as: UInt32.self)
        let tail = rings.load(fromByteOffset: Int(offsets.tail), as: UInt32.self)
        let mask = rings.load(fromByteOffset: Int(offsets.ringMask), as: UInt32.self)
        #expect(tail &- head == 6)
        var userData: [UInt64] = []
        for index in head..<tail {
            let cqe = rings.load(fromByteOffset: Int(offsets.cqes) + Int(index & mask) * 16,
                                 as: CompletionQueueEntry.self)
            userData.append(cqe.userData)
        }
        #expect(userData == (1000..<1006).map(UInt64.init))
        rings.storeBytes(of: tail, toByteOffset: Int(offsets.head), as: UInt32.self)
        #expect(try ring.popCompletion() == nil)
    }

    @Test func submitContentsOfPushesAndSubmitsOneBatch() throws {
        var ring = try IoUring(entries: 8, flags: [.singleIssuer, .deferTaskrun, .noSQArray])
        for lap in 0..<3 {
            let shadow = (0..<5).map { Nop().build().withUserData(UInt64(lap * 10 + $0)) }
            let submitted = try shadow.withUnsafeBufferPointer { try ring.submit(contentsOf: $0) }
            #expect(submitted == 5)
            try ring.wait(for: 5, timeout: .seconds(5))
            var seen: [UInt64] = []
            try ring.forEachCompletion { seen.append($0.userData) }
            #expect(seen == shadow.map(\.userData))
        }
    }

    @Test func waitWithTimeoutReturnsNilWhenNothingCompletes() throws {
        var ring = try IoUring(entries: 4)
        let start = now()
        let completion = try ring.waitCompletion(timeout: .milliseconds(30))
        let elapsed = now() - start
        #expect(completion == nil)
        #expect(elapsed >= 25_000_000)
        try ring.push(Nop().build().withUserData(3))
        #expect(try ring.waitCompletion(timeout: .seconds(5))?.userData == 3)
    }

    @Test func eventFDIsSignalledPerCompletion() throws {
        var ring = try IoUring(entries: 4)
        let event = makeEventFD()
        #expect(event >= 0)
        defer { close(event) }
        try ring.registerEventFD(FileDescriptor(rawValue: event))
        _ = try run(&ring, [Nop().build(), Nop().build()])
        var value: UInt64 = 0
        #expect(read(event, &value, 8) == 8)
        #expect(value >= 1)
        try ring.unregisterEventFD()
    }

    @Test func cqeSkipSuccessPostsOnlyFailures() throws {
        var ring = try IoUring(entries: 4)
        try ring.push(Nop().build().withUserData(1).withFlags(.cqeSkipSuccess))
        try ring.push(Read(file: .fd(FileDescriptor(rawValue: -1)), buffer: nil, length: 0).build()
            .withUserData(2).withFlags(.cqeSkipSuccess))
        try ring.push(Nop().build().withUserData(3))
        try ring.submit()
        var seen: [UInt64: Int32] = [:]
        while seen.count < 2 {
            let completion = try ring.waitCompletion()
            seen[completion.userData] = completion.result
        }
        #expect(seen == [2: negative(.badFileDescriptor), 3: 0])
    }
}
