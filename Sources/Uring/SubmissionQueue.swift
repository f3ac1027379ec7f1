import CUringShim

/// The submission side of a ring: the shared SQ head/tail/flags words and the SQE array.
///
/// Owned by ``IoUring`` and reached through it; the pointers are valid as long as the ring is.
public struct SubmissionQueue: ~Copyable {
    @usableFromInline let head: UnsafeMutablePointer<UInt32>
    @usableFromInline let tail: UnsafeMutablePointer<UInt32>
    @usableFromInline let flagsWord: UnsafeMutablePointer<UInt32>
    @usableFromInline let droppedWord: UnsafeMutablePointer<UInt32>
    @usableFromInline let entries: UnsafeMutableRawPointer
    @usableFromInline let mask: UInt32
    /// Number of SQ slots.
    public let capacity: UInt32
    /// log2 of the SQE size (6, or 7 with SQE128).
    @usableFromInline let entryShift: UInt32
    /// Whether a kernel thread consumes the SQ (SQPOLL): head needs acquire loads and wakeups.
    @usableFromInline let kernelPolled: Bool
    /// The next free slot; entries before it and at or after the shared tail are ours, not yet published.
    @usableFromInline var localTail: UInt32

    init(rings: UnsafeMutableRawPointer, sqes: UnsafeMutableRawPointer, offsets: SubmissionQueueOffsets,
         flags: SetupFlags) {
        head = (rings + Int(offsets.head)).assumingMemoryBound(to: UInt32.self)
        tail = (rings + Int(offsets.tail)).assumingMemoryBound(to: UInt32.self)
        flagsWord = (rings + Int(offsets.flags)).assumingMemoryBound(to: UInt32.self)
        droppedWord = (rings + Int(offsets.dropped)).assumingMemoryBound(to: UInt32.self)
        mask = (rings + Int(offsets.ringMask)).load(as: UInt32.self)
        capacity = (rings + Int(offsets.ringEntries)).load(as: UInt32.self)
        entries = sqes
        entryShift = flags.contains(.sqe128) ? 7 : 6
        kernelPolled = flags.contains(.sqPoll)
        localTail = tail.pointee
        if !flags.contains(.noSQArray) {
            // The index array is the identity once and for all (what liburing does since 2.2).
            let array = (rings + Int(offsets.array)).assumingMemoryBound(to: UInt32.self)
            for index in 0..<capacity { array[Int(index)] = index }
        }
    }

    /// Free slots: capacity minus entries pushed but not yet consumed by the kernel.
    @inlinable
    public var spaceLeft: UInt32 { capacity &- (localTail &- cus_load_acquire(head)) }

    /// Entries pushed but not yet consumed by the kernel.
    @inlinable
    public var pending: UInt32 { localTail &- cus_load_acquire(head) }

    /// Entries the kernel dropped because they were invalid (the SQ `dropped` counter).
    public var dropped: UInt32 { cus_load_relaxed(droppedWord) }

    /// The raw SQ flags word (`IORING_SQ_NEED_WAKEUP` 1, `IORING_SQ_CQ_OVERFLOW` 2, `IORING_SQ_TASKRUN` 4).
    @inlinable
    public var rawFlags: UInt32 { cus_load_relaxed(flagsWord) }

    /// The slot pointer for the next entry, or nil when the SQ is full. Does not publish.
    @inlinable
    mutating func reserve() -> UnsafeMutableRawPointer? {
        let consumed = kernelPolled ? cus_load_acquire(head) : head.pointee
        guard localTail &- consumed < capacity else { return nil }
        let slot = entries + Int((localTail & mask) &<< entryShift)
        localTail &+= 1
        return slot
    }

    /// Copies `entries` into the slots from the local tail on (raw copies, zeroing the second half of 128-byte
    /// slots), for a caller that checked they fit (`spaceLeft`). Does not publish.
    @inlinable
    @inline(__always)
    mutating func append(contentsOf entries: UnsafeBufferPointer<SubmissionQueueEntry>) {
        guard let source = entries.baseAddress else { return }
        var tail = localTail
        for i in 0..<entries.count {
            let slot = self.entries + Int((tail & mask) &<< entryShift)
            // A typed store, not copyMemory: the compiler moves the 64 bytes inline instead of calling memmove.
            slot.storeBytes(of: source[i], as: SubmissionQueueEntry.self)
            if entryShift == 7 { (slot + 64).initializeMemory(as: UInt8.self, repeating: 0, count: 64) }
            tail &+= 1
        }
        localTail = tail
    }

    /// Publishes pushed entries to the kernel (store-release of the tail); returns how many it has not consumed.
    @inlinable
    mutating func flush() -> UInt32 {
        cus_store_release(tail, localTail)
        return localTail &- (kernelPolled ? cus_load_acquire(head) : head.pointee)
    }
}
