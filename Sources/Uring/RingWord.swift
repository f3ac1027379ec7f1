import CUringShim

/// A 32-bit word of a ring mapping that the kernel reads or writes concurrently (an SQ or CQ head, tail or flags
/// word), accessed with the ordering io_uring needs. For engines that keep raw views of the ring regions (see
/// ``IoUring/ringsRegion``).
public struct RingWord: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<UInt32>

    /// The word at byte `offset` of `base` (an offset from ``RingParameters``).
    public init(_ base: UnsafeMutableRawPointer, offset: UInt32) {
        pointer = base.advanced(by: Int(offset)).assumingMemoryBound(to: UInt32.self)
    }

    /// Load-acquire: what the kernel published before the word (e.g. CQEs before the CQ tail) is visible after.
    @inlinable public func loadAcquire() -> UInt32 { cus_load_acquire(pointer) }

    /// A relaxed load (flags words).
    @inlinable public func loadRelaxed() -> UInt32 { cus_load_relaxed(pointer) }

    /// Store-release: what was written before (e.g. consumed CQE slots) is done before the kernel sees the word.
    @inlinable public func storeRelease(_ value: UInt32) { cus_store_release(pointer, value) }

    /// A plain load (words only this thread writes, such as the CQ head).
    @inlinable public func load() -> UInt32 { pointer.pointee }

    /// A plain store.
    @inlinable public func store(_ value: UInt32) { pointer.pointee = value }
}

extension IoUring {
    /// Whether SQ flags `sqFlags` say the kernel holds completions it could not post yet (`IORING_SQ_CQ_OVERFLOW`)
    /// or has task work pending (`IORING_SQ_TASKRUN`): an `io_uring_enter` with GETEVENTS posts them.
    @inlinable
    public static func completionsNeedFlush(sqFlags: UInt32) -> Bool { sqFlags & 6 != 0 }
}
