import SystemPackage
import Testing
@testable import Uring

/// IORING_REGISTER_MEM_REGION both ways: the loop's MEM region depends on it.
@Suite(.requiresUring, .timeLimit(.minutes(1))) struct MemoryRegionTests {
    @Test(arguments: [MemoryRegionKind.user, .kernel])
    func regionIsMappedZeroedAndWritable(kind: MemoryRegionKind) throws {
        var ring = try IoUring(entries: 8, flags: [.singleIssuer, .deferTaskrun, .noSQArray])
        let before = ring.memoryRegion
        #expect(before == nil)
        let region = try ring.registerMemoryRegion(size: 5000, kind: kind)
        #expect(region.count == 8192, "rounded up to whole pages")
        #expect(region.allSatisfy { $0 == 0 })
        for index in stride(from: 0, to: region.count, by: 512) {
            region.storeBytes(of: UInt32(index), toByteOffset: index, as: UInt32.self)
        }
        let mapped = ring.memoryRegion
        let again = try #require(mapped)
        #expect(again.baseAddress == region.baseAddress)
        #expect(again.load(fromByteOffset: 4096, as: UInt32.self) == 4096)
        // The ring still works with a region registered.
        #expect(try run(&ring, [Nop().build().withUserData(3)]).first?.userData == 3)
    }

    @Test(arguments: [MemoryRegionKind.user, .kernel])
    func secondRegionIsEBUSY(kind: MemoryRegionKind) throws {
        var ring = try IoUring(entries: 8)
        try ring.registerMemoryRegion(size: 4096, kind: kind)
        let error = #expect(throws: UringError.self) { try ring.registerMemoryRegion(size: 4096, kind: kind) }
        #expect(error?.errno == .resourceBusy)
        #expect(error?.description.contains("REGISTER_MEM_REGION") == true)
    }

    /// Proof that the kernel reads the region's memory: a registered wait argument (`struct io_uring_reg_wait`)
    /// written at offset 0 sets the timeout of an `io_uring_enter` that only passes that offset.
    @Test(arguments: [MemoryRegionKind.user, .kernel])
    func kernelReadsRegisteredWaitArguments(kind: MemoryRegionKind) throws {
        var ring = try IoUring(entries: 4, flags: [.ringsDisabled])
        let region = try ring.registerMemoryRegion(size: 4096, kind: kind, waitArguments: true)
        try ring.enableRings()
        for milliseconds in [20, 60] {
            // struct io_uring_reg_wait { __kernel_timespec ts; u32 min_wait_usec; u32 flags; ... } (64 bytes)
            region.storeBytes(of: KernelTimespec(seconds: 0, nanoseconds: Int64(milliseconds) * 1_000_000),
                              as: KernelTimespec.self)
            region.storeBytes(of: 1 as UInt32, toByteOffset: 20, as: UInt32.self)  // IORING_REG_WAIT_TS
            let start = now()
            let error = #expect(throws: UringError.self) {
                try ring.enter(toSubmit: 0, minComplete: 1, flags: [.getEvents, .extArg, .extArgRegistered],
                               argument: nil /* offset 0 */, argumentSize: 64)
            }
            let elapsed = now() - start
            #expect(error?.errno == Errno(rawValue: 62), "ETIME: the timeout came from the region")
            #expect(elapsed >= Int64(milliseconds - 2) * 1_000_000)
            #expect(elapsed < Int64(milliseconds) * 1_000_000 + 500_000_000)
        }
    }
}
