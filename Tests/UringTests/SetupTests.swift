import Glibc
import SystemPackage
import Testing
@testable import Uring

@Suite(.requiresUring, .timeLimit(.minutes(1))) struct SetupTests {
    @Test(arguments: [SetupFlags(), [.noSQArray], [.singleIssuer, .deferTaskrun, .noSQArray],
                      [.coopTaskrun, .taskrunFlag], [.submitAll, .clamp], [.sqPoll], [.sqPoll, .noSQArray]])
    func nopRoundTripsWithFlags(flags: SetupFlags) throws {
        var ring = try IoUring(entries: 8, flags: flags)
        #expect(ring.flags.isSuperset(of: flags))
        let completions = try run(&ring, (0..<8).map { Nop().build().withUserData(UInt64($0) + 100) })
        #expect(completions.map(\.userData) == (0..<8).map { UInt64($0) + 100 })
        #expect(completions.allSatisfy { $0.result == 0 })
        // Every slot gets reused: a second and third lap around the SQ still work.
        for lap in 0..<2 {
            let more = try run(&ring, (0..<8).map { Nop().build().withUserData(UInt64(lap * 8 + $0)) })
            #expect(more.count == 8)
        }
    }

    @Test func offsetsMatchTheKernelLayout() throws {
        let plain = try IoUring(entries: 32, cqEntries: 128)
        #expect(plain.sqEntries == 32)
        #expect(plain.cqEntries == 128)
        #expect(plain.flags.contains(.cqSize))
        let region = plain.ringsRegion
        let cqOffsets = plain.parameters.cqOffsets
        let sqOffsets = plain.parameters.sqOffsets
        #expect(region.load(fromByteOffset: Int(sqOffsets.ringEntries), as: UInt32.self) == 32)
        #expect(region.load(fromByteOffset: Int(cqOffsets.ringEntries), as: UInt32.self) == 128)
        #expect(region.load(fromByteOffset: Int(sqOffsets.ringMask), as: UInt32.self) == 31)
        #expect(region.count % 4096 == 0)
        #expect(Int(cqOffsets.cqes) + 128 * 16 <= region.count)
        #expect(sqOffsets.array != 0)
        #expect(Int(sqOffsets.array) + 32 * 4 <= region.count)
        #expect(plain.submissionEntriesRegion.count == 32 * 64)

        let noArray = try IoUring(entries: 32, flags: [.noSQArray], cqEntries: 128)
        #expect(noArray.parameters.sqOffsets.array == 0)
        // The spec's selftest example: S=32, C=128, NO_SQARRAY -> CQEs span 64..2112, a 4096-byte region.
        #expect(noArray.parameters.cqOffsets.cqes == 64)
        #expect(noArray.ringsRegion.count == 4096)
    }

    @Test func sqRewindIsExplainedOrWorks() throws {
        if IoUring.setupError(for: .sqRewind) == nil {
            let ring = try IoUring(entries: 8, flags: [.noSQArray, .sqRewind])
            #expect(ring.flags.contains(.sqRewind))
            _ = ring
            return
        }
        let error = #expect(throws: UringError.self) { _ = try IoUring(entries: 8, flags: [.sqRewind]) }
        #expect(error?.errno == .invalidArgument)
        #expect(error?.description
            == "io_uring_setup(entries: 8, flags: [.sqRewind]) failed: EINVAL — this kernel does not support SQ_REWIND")
    }

    @Test func invalidCombinationIsNamed() throws {
        // DEFER_TASKRUN without SINGLE_ISSUER is invalid although the kernel supports both.
        let error = #expect(throws: UringError.self) { _ = try IoUring(entries: 8, flags: [.deferTaskrun]) }
        #expect(error?.errno == .invalidArgument)
        #expect(error?.hint == "DEFER_TASKRUN needs SINGLE_ISSUER")
        // SQPOLL with DEFER_TASKRUN: each works alone, the pair does not.
        let pair = #expect(throws: UringError.self) {
            _ = try IoUring(entries: 8, flags: [.sqPoll, .singleIssuer, .deferTaskrun])
        }
        #expect(pair?.hint?.contains("combination") == true)
    }

    @Test func zeroEntriesFail() {
        let error = #expect(throws: UringError.self) { _ = try IoUring(entries: 0) }
        #expect(error?.errno == .invalidArgument)
        #expect(error?.description.hasPrefix("io_uring_setup(entries: 0, flags: []) failed: EINVAL") == true)
    }

    @Test func disabledRingRejectsSubmissionUntilEnabled() throws {
        var ring = try IoUring(entries: 4, flags: [.ringsDisabled])
        try ring.push(Nop().build().withUserData(1))
        let error = #expect(throws: UringError.self) { try ring.submitAndWait(1) }
        #expect(error?.errno == Errno(rawValue: EBADFD))
        try ring.enableRings()
        try ring.submitAndWait(1)
        #expect(try ring.popCompletion()?.userData == 1)
    }

    @Test func registeredRingFDIsUsedForEnter() throws {
        var ring = try IoUring(entries: 8)
        let index = try ring.registerRingFD()
        #expect(ring.registeredIndex == index)
        let completions = try run(&ring, [Nop().build().withUserData(5)])
        #expect(completions.first?.userData == 5)
        try ring.unregisterRingFD()
        #expect(ring.registeredIndex == nil)
        #expect(try run(&ring, [Nop().build().withUserData(6)]).first?.userData == 6)
    }

    @Test func sqe128AndCqe32RingsWork() throws {
        var ring = try IoUring(entries: 4, flags: [.sqe128, .cqe32])
        #expect(ring.submissionEntriesRegion.count == 4 * 128)
        for lap in 0..<3 {
            let completions = try run(&ring, (0..<4).map { Nop().build().withUserData(UInt64(lap * 4 + $0)) })
            #expect(completions.map(\.userData) == (0..<4).map { UInt64(lap * 4 + $0) })
        }
    }

    @Test func unsupportedLibraryFlagsAreRejectedClearly() {
        let error = #expect(throws: UringError.self) { _ = try IoUring(entries: 4, flags: [.noMmap]) }
        #expect(error?.hint?.contains("NO_MMAP") == true)
    }
}
