import SystemPackage
import Uring

#if canImport(Glibc)
import Glibc
#endif

/// The regions a userspace loop program sees, laid out exactly as the kernel's.
///
/// On a ring with native `IORING_SETUP_SQ_REWIND` the program gets the real rings region and SQE array.
/// Where the kernel lacks SQ_REWIND (before 7.1) the ring is created without it and the program gets
/// shadows instead: an SQE array of its own (entries 0..n-1, copied to the real SQ tail on submit) and a
/// copy of the rings region whose SQ head and tail stay 0, as on a 7.1+ SQ_REWIND ring. The shadow's CQ
/// side is kept in step with the real ring: the kernel-owned words and new CQEs are copied in after every
/// syscall (`syncIn`), the program's CQ head and CQ flags are copied out after every step (`syncOut`).
final class UserRegions {
    /// What the program sees as the CQ (rings) region, page-rounded as the kernel allocates it.
    let cq: UnsafeMutableRawBufferPointer
    /// What the program sees as the SQ (SQE array) region, page-rounded.
    let sq: UnsafeMutableRawBufferPointer
    /// The registered MEM region, if any.
    let mem: UnsafeMutableRawBufferPointer?
    /// Whether `cq` and `sq` are shadows (SQ_REWIND emulated).
    let isShadowed: Bool

    private let real: UnsafeMutableRawPointer
    /// The real ring's CQ tail, CQ head and SQ flags words.
    private let realTailWord: RingWord, realHeadWord: RingWord, realSQFlags: RingWord
    private let offsets: RingParameters
    private let cqMask: UInt32
    // What the syncs touch, computed once (they run after every syscall and every step): the CQE arrays, the
    // shadow's CQ head and tail, and the (shadow, real) pairs of the words copied in and out.
    private let shadowCQEs: UnsafeMutableRawPointer, realCQEs: UnsafeRawPointer
    private let shadowTail: RingWord, shadowHead: UnsafeMutablePointer<UInt32>
    private let dropped: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>)
    private let sqFlags: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>)
    private let overflow: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>)
    /// The CQ flags word (shadow, real), nil where the kernel has none.
    private let cqFlags: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>)?
    @exclusivity(unchecked) private var syncedTail: UInt32

    init(ring: borrowing IoUring, emulateRewind: Bool) throws(LoopError) {
        let rings = ring.ringsRegion
        real = rings.baseAddress!
        offsets = ring.parameters
        cqMask = ring.cqEntries - 1
        mem = ring.memoryRegion
        isShadowed = emulateRewind
        let sqBytes = pageRounded(Int(ring.sqEntries) * 64)
        if emulateRewind {
            cq = try allocatePages(rings.count)
            cq.copyMemory(from: UnsafeRawBufferPointer(rings))
            cq.storeBytes(of: 0, toByteOffset: Int(offsets.sqOffsets.head), as: UInt32.self)
            cq.storeBytes(of: 0, toByteOffset: Int(offsets.sqOffsets.tail), as: UInt32.self)
            sq = try allocatePages(sqBytes)
        } else {
            cq = rings
            sq = UnsafeMutableRawBufferPointer(start: ring.submissionEntriesRegion.baseAddress, count: sqBytes)
        }
        realTailWord = RingWord(real, offset: offsets.cqOffsets.tail)
        realHeadWord = RingWord(real, offset: offsets.cqOffsets.head)
        realSQFlags = RingWord(real, offset: offsets.sqOffsets.flags)
        let shadow = cq.baseAddress!
        shadowCQEs = shadow + Int(offsets.cqOffsets.cqes)
        realCQEs = UnsafeRawPointer(real + Int(offsets.cqOffsets.cqes))
        shadowTail = RingWord(shadow, offset: offsets.cqOffsets.tail)
        shadowHead = word(shadow, offsets.cqOffsets.head)
        dropped = (word(shadow, offsets.sqOffsets.dropped), word(real, offsets.sqOffsets.dropped))
        sqFlags = (word(shadow, offsets.sqOffsets.flags), word(real, offsets.sqOffsets.flags))
        overflow = (word(shadow, offsets.cqOffsets.overflow), word(real, offsets.cqOffsets.overflow))
        cqFlags = offsets.cqOffsets.flags == 0 ? nil : (word(shadow, offsets.cqOffsets.flags), word(real, offsets.cqOffsets.flags))
        syncedTail = realTailWord.loadAcquire()
    }

    deinit {
        if isShadowed {
            munmap(cq.baseAddress, cq.count)
            munmap(sq.baseAddress, sq.count)
        }
    }

    /// The region `id` if the program may have `size` bytes of it, as `bpf_io_uring_get_region` decides:
    /// nil for an unknown id, a missing MEM region, or a size beyond the page-rounded region.
    func region(_ id: UInt32, size: UInt64) -> UnsafeMutableRawBufferPointer? {
        let region: UnsafeMutableRawBufferPointer?
        switch LoopRegion(rawValue: id) {
        case .mem: region = mem
        case .cq: region = cq
        case .sq: region = sq
        case nil: region = nil
        }
        guard let region, size <= UInt64(region.count) else { return nil }
        return region
    }

    /// The real CQ tail (kernel-written).
    var realTail: UInt32 { realTailWord.loadAcquire() }

    /// The real CQ head (what the kernel sees as consumed).
    var realHead: UInt32 { realHeadWord.load() }

    /// Whether the kernel holds overflowed CQEs or pending task work (`IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN`
    /// in the real SQ flags): read here rather than through the ring so a step borrows nothing.
    var completionsNeedFlush: Bool { IoUring.completionsNeedFlush(sqFlags: realSQFlags.loadRelaxed()) }

    /// The CQ head as the program sees it.
    var programHead: UInt32 { shadowHead.pointee }

    /// The CQE at ring index `index` as the program sees it.
    func completion(at index: UInt32) -> CompletionQueueEntry {
        cq.baseAddress!.advanced(by: Int(offsets.cqOffsets.cqes) + Int(index & cqMask) * 16)
            .loadUnaligned(as: CompletionQueueEntry.self)
    }

    /// Copies what the kernel changed into the shadow: CQ tail, ring words, overflow count and new CQEs.
    /// Inlined into `submit` and the run loop: it runs after every syscall, which most steps make.
    @inline(__always)
    func syncIn() {
        guard isShadowed else { return }
        let tail = realTail
        // No more than a CQ's worth (the oldest first), as the kernel never has more unconsumed.
        let count = min(tail &- syncedTail, cqMask &+ 1)
        // In locals: the stores below could alias this object's fields as far as the compiler knows.
        let source = realCQEs, destination = shadowCQEs, mask = cqMask
        var index = syncedTail
        for _ in 0..<count {
            let offset = Int(index & mask) &* 16
            // Two words, not copyMemory: a 16-byte copyMemory is a call to memmove.
            let cqe = (source + offset).loadUnaligned(as: (UInt64, UInt64).self)
            (destination + offset).storeBytes(of: cqe, as: (UInt64, UInt64).self)
            index &+= 1
        }
        syncedTail = tail
        dropped.0.pointee = dropped.1.pointee
        sqFlags.0.pointee = sqFlags.1.pointee
        overflow.0.pointee = overflow.1.pointee
        shadowTail.storeRelease(tail)
    }

    /// Publishes what the program changed: its CQ head (store-release, so the kernel may reuse the slots)
    /// and the CQ flags.
    func syncOut() {
        guard isShadowed else { return }
        let head = shadowHead.pointee
        if head != realHeadWord.load() {
            realHeadWord.storeRelease(head)
        }
        if let cqFlags { cqFlags.1.pointee = cqFlags.0.pointee }
    }

    /// The first `count` SQEs of the program's SQ region (SQ_REWIND style), for copying to the real ring.
    func shadowEntries(_ count: Int) -> UnsafeBufferPointer<SubmissionQueueEntry> {
        UnsafeBufferPointer(start: UnsafePointer(sq.baseAddress!.assumingMemoryBound(to: SubmissionQueueEntry.self)),
                            count: count)
    }
}

private func word(_ base: UnsafeMutableRawPointer, _ offset: UInt32) -> UnsafeMutablePointer<UInt32> {
    base.advanced(by: Int(offset)).assumingMemoryBound(to: UInt32.self)
}

/// `bytes` rounded up to whole pages.
func pageRounded(_ bytes: Int) -> Int {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    return (max(bytes, 1) + page - 1) / page * page
}

/// Zeroed, page-aligned anonymous memory.
private func allocatePages(_ bytes: Int) throws(LoopError) -> UnsafeMutableRawBufferPointer {
    let size = pageRounded(bytes)
    guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
        throw LoopError(.runFailed, errno: Errno(rawValue: errno), "mmap of \(size) bytes for a shadow loop region failed")
    }
    return UnsafeMutableRawBufferPointer(start: p, count: size)
}
