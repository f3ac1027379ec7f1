/// The memory regions `bpf_io_uring_get_region` hands a loop program (`IOU_REGION_*`).
public enum LoopRegion: UInt32, Sendable, CaseIterable {
    /// The parameter region registered with `IORING_REGISTER_MEM_REGION`.
    case mem = 0
    /// The rings region: SQ/CQ heads, tails, masks and flags, then the CQEs at offset 64.
    case cq = 1
    /// The SQE array: entry i at byte 64·i.
    case sq = 2

    /// The kernel's name for it (`IOU_REGION_MEM`, ...): "MEM", "CQ" or "SQ". Spelled out: interpolating the case
    /// goes through reflection, about half a million instructions the first time a run grants a region.
    var name: String {
        switch self {
        case .mem: "MEM"
        case .cq: "CQ"
        case .sq: "SQ"
        }
    }
}

/// What `loop_step` returns (`IOU_LOOP_*`).
public enum LoopStepResult: Sendable, Equatable {
    /// Keep looping (wait for `cq_wait_idx` first, if it is ahead of the CQ tail).
    case `continue`
    /// End the run; `runLoop()` returns.
    case stop
    /// Any other value: the run fails with EINVAL, as in the kernel.
    case other(Int32)

    /// The value as the kernel sees it.
    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .continue
        case 1: self = .stop
        default: self = .other(rawValue)
        }
    }

    /// The C value (`IOU_LOOP_CONTINUE` 0, `IOU_LOOP_STOP` 1).
    public var rawValue: Int32 {
        switch self {
        case .continue: 0
        case .stop: 1
        case .other(let v): v
        }
    }
}
