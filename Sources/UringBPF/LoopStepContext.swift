/// What a loop step written in Swift can do: the same powers `loop_step` has in BPF.
///
/// Regions are the kernel's layouts (see ``LoopRegion``); `submit` is `bpf_io_uring_submit_sqes`;
/// `cqWaitIndex` is `lp->cq_wait_idx`.
public struct LoopStepContext {
    // Strong, not unowned: the engine does not hold contexts (no cycle), and an unowned reference costs an
    // atomic retain/release on every use, several per step.
    let engine: UserLoopEngine

    /// `bpf_io_uring_get_region`: the region, or nil when the kernel would return NULL.
    public func region(_ region: LoopRegion, size: Int) -> UnsafeMutableRawBufferPointer? {
        guard size >= 0, let buffer = engine.region(region.rawValue, size: UInt64(size)) else { return nil }
        // `region` answered only because `size` fits.
        return UnsafeMutableRawBufferPointer(start: buffer.baseAddress, count: size)
    }

    /// `bpf_io_uring_submit_sqes`: submits the first `count` SQEs of the SQ region (SQ_REWIND) and returns
    /// how many the kernel took, or a negative errno.
    public func submit(_ count: UInt32) -> Int32 { engine.submit(count) }

    /// `lp->cq_wait_idx`: after a CONTINUE, the loop sleeps until the CQ tail reaches it.
    public var cqWaitIndex: UInt32 {
        get { engine.params.pointee }
        nonmutating set { engine.params.pointee = newValue }
    }
}

/// A loop step written in Swift.
public typealias LoopStep = (LoopStepContext) -> LoopStepResult
