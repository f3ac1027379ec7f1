import Testing
@testable import Uring

/// The POD types must match the kernel ABI byte for byte: the loop engine copies them raw.
@Suite struct LayoutTests {
    @Test func submissionEntryIs64Bytes() {
        #expect(MemoryLayout<SubmissionQueueEntry>.size == 64)
        #expect(MemoryLayout<SubmissionQueueEntry>.stride == 64)
        #expect(MemoryLayout<SubmissionQueueEntry>.offset(of: \.userData) == 32)
        #expect(MemoryLayout<SubmissionQueueEntry>.offset(of: \.bufIndex) == 40)
        #expect(MemoryLayout<SubmissionQueueEntry>.offset(of: \.spliceFDIn) == 44)
        #expect(MemoryLayout<SubmissionQueueEntry>.offset(of: \.addr3) == 48)
    }

    @Test func completionEntryIs16Bytes() {
        #expect(MemoryLayout<CompletionQueueEntry>.size == 16)
        #expect(MemoryLayout<CompletionQueueEntry>.offset(of: \.result) == 8)
        #expect(MemoryLayout<CompletionQueueEntry>.offset(of: \.rawFlags) == 12)
    }

    @Test func parametersAre120Bytes() {
        #expect(MemoryLayout<RingParameters>.size == 120)
        #expect(MemoryLayout<RingParameters>.offset(of: \.sqOffsets) == 40)
        #expect(MemoryLayout<RingParameters>.offset(of: \.cqOffsets) == 80)
        #expect(MemoryLayout<KernelTimespec>.size == 16)
        #expect(MemoryLayout<GetEventsArgument>.size == 24)
        #expect(MemoryLayout<RegionDescriptor>.size == 64)
        #expect(MemoryLayout<MemoryRegionRegister>.size == 32)
        #expect(MemoryLayout<BufferRingRegister>.size == 40)
        #expect(MemoryLayout<ResourceRegister>.size == 32)
        #expect(MemoryLayout<ResourceUpdate>.size == 32)
    }

    @Test func completionFlagsDecodeBufferID() {
        let entry = CompletionQueueEntry(userData: 1, result: 5, rawFlags: 7 << 16 | 0b11)
        #expect(entry.bufferID == 7)
        #expect(entry.hasMore)
        #expect(CompletionQueueEntry(userData: 1, result: 5, rawFlags: 2).bufferID == nil)
    }

    @Test("only -4095...-1 are errnos: any other result, Int32.min included, is none")
    func completionErrors() {
        #expect(CompletionQueueEntry(userData: 0, result: -2, rawFlags: 0).error == .noSuchFileOrDirectory)
        #expect(CompletionQueueEntry(userData: 0, result: -4095, rawFlags: 0).error != nil)
        for result in [Int32.min, -4096, 0, 1, .max] {
            #expect(CompletionQueueEntry(userData: 0, result: result, rawFlags: 0).error == nil)
        }
    }
}
