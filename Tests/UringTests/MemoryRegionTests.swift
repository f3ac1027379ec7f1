import SystemPackage
import Testing
@testable import Uring

/// IORING_REGISTER_MEM_REGION both ways: the loop's MEM region depends on it.
@Suite(.requiresUring) struct MemoryRegionTests {
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
}
