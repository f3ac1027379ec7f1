import CUringShim

/// The completion side of a ring: the shared CQ head/tail/flags/overflow words and the CQE array.
///
/// Owned by ``IoUring`` and reached through it; the pointers are valid as long as the ring is.
public struct CompletionQueue: ~Copyable {
    @usableFromInline let head: UnsafeMutablePointer<UInt32>
    @usableFromInline let tail: UnsafeMutablePointer<UInt32>
    @usableFromInline let flagsWord: UnsafeMutablePointer<UInt32>
    @usableFromInline let overflowWord: UnsafeMutablePointer<UInt32>
    @usableFromInline let entries: UnsafeMutableRawPointer
    @usableFromInline let mask: UInt32
    /// Number of CQ slots.
    public let capacity: UInt32
    /// log2 of the CQE size (4, or 5 with CQE32).
    @usableFromInline let entryShift: UInt32

    init(rings: UnsafeMutableRawPointer, offsets: CompletionQueueOffsets, flags: SetupFlags) {
        head = (rings + Int(offsets.head)).assumingMemoryBound(to: UInt32.self)
        tail = (rings + Int(offsets.tail)).assumingMemoryBound(to: UInt32.self)
        flagsWord = (rings + Int(offsets.flags)).assumingMemoryBound(to: UInt32.self)
        overflowWord = (rings + Int(offsets.overflow)).assumingMemoryBound(to: UInt32.self)
        mask = (rings + Int(offsets.ringMask)).load(as: UInt32.self)
        capacity = (rings + Int(offsets.ringEntries)).load(as: UInt32.self)
        entries = rings + Int(offsets.cqes)
        entryShift = flags.contains(.cqe32) ? 5 : 4
    }

    /// Completions posted and not yet consumed.
    @inlinable
    public var ready: UInt32 { cus_load_acquire(tail) &- head.pointee }

    /// The CQ tail: the index after the last completion posted (load-acquire).
    @inlinable
    public var tailIndex: UInt32 { cus_load_acquire(tail) }

    /// The CQ head: the index of the oldest completion not yet consumed.
    @inlinable
    public var headIndex: UInt32 { head.pointee }

    /// Completions the kernel could not post at all (the CQ `overflow` counter; stays 0 with NODROP).
    public var overflow: UInt32 { cus_load_relaxed(overflowWord) }

    /// The CQ flags word (`IORING_CQ_EVENTFD_DISABLED` 1).
    public var rawFlags: UInt32 {
        get { cus_load_relaxed(flagsWord) }
    }

    /// Sets the CQ flags word (e.g. to disable eventfd notifications).
    public func setRawFlags(_ value: UInt32) { cus_store_release(flagsWord, value) }

    /// The entry at ring index `index` (masked).
    @inlinable
    func entry(at index: UInt32) -> CompletionQueueEntry {
        (entries + Int((index & mask) &<< entryShift)).load(as: CompletionQueueEntry.self)
    }

    /// The oldest unconsumed completion, without consuming it.
    @inlinable
    func peek() -> CompletionQueueEntry? {
        let current = head.pointee
        return current != cus_load_acquire(tail) ? entry(at: current) : nil
    }

    /// Marks `count` completions consumed (one store-release of the head).
    @inlinable
    func advance(by count: UInt32) {
        cus_store_release(head, head.pointee &+ count)
    }
}
