/// How to set up a loop: the mode, the ring, the MEM region, globals, and test aids.
public struct LoopOptions {
    /// Where the program runs; `.auto` picks kernel mode when the kernel has `io_uring_bpf_ops`.
    public var mode: LoopMode = .auto
    /// SQ entries of the ring.
    public var sqEntries: UInt32 = 16
    /// CQ entries of the ring (`IORING_SETUP_CQSIZE`).
    public var cqEntries: UInt32 = 32
    /// Bytes of MEM region to register (`IORING_REGISTER_MEM_REGION`, page-rounded); 0 for none.
    public var memSize: Int = 0
    /// Values for global variables, applied in order before the program is loaded (so `.rodata` can be set).
    /// `sq_entries` and `cq_entries`, when the program has them, are filled from the ring unless given here.
    public var globals: [(name: String, value: GlobalValue)] = []
    /// User mode: stop a `loop_step` that runs more than this many instructions.
    public var instructionBudget: UInt64?
    /// User mode: stop a run after this many steps.
    public var stepBudget: Int?
    /// User mode: called with a trace of every step.
    public var tracer: LoopTracer?
    /// User mode: receives `bpf_printk` lines (default: standard error).
    public var printk: ((String) -> Void)?

    /// The defaults: auto mode, 16 SQ / 32 CQ entries, no MEM region.
    public init() {}
}
