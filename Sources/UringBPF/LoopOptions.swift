import BPFJIT

/// How to set up a loop: the mode, the ring, the MEM region, globals, and test aids.
public struct LoopOptions: @unchecked Sendable {
    /// Where the program runs; `.auto` picks kernel mode when the kernel has `io_uring_bpf_ops`.
    public var mode: LoopMode = .auto
    /// SQ entries of the ring.
    public var sqEntries: UInt32 = 16
    /// CQ entries of the ring (`IORING_SETUP_CQSIZE`).
    public var cqEntries: UInt32 = 32
    /// Bytes of MEM region to register (`IORING_REGISTER_MEM_REGION`, page-rounded); 0 for none.
    public var memSize: Int = 0
    /// Values for global variables, applied in order before the program is loaded (so `.rodata` can be set).
    /// `sq_entries` and `cq_entries`, when the program has them, are filled from the ring, and `mem_size` from the MEM
    /// region's size, unless given here.
    public var globals: [(name: String, value: GlobalValue)] = []
    /// User mode: the engine that runs the program. The JIT (the default) falls back to the interpreter where it
    /// cannot run; ``UringLoop/engine`` says which runs and why.
    public var engine: ExecutionEngine = .default
    /// User mode: verify the program at load as Linux's verifier does (``/BPFVerifier``), so that a program the kernel
    /// would refuse is refused here too, before any step runs, with the kernel's errno and the source line. Turn it
    /// off to run such a program anyway (the engine still stops every access outside the program's memory).
    public var verify = true
    /// User mode: stop a `loop_step` that runs more than this many instructions.
    public var instructionBudget: UInt64?
    /// User mode: stop a run after this many steps.
    public var stepBudget: Int?
    /// User mode: called with a trace of every step.
    public var tracer: LoopTracer?
    /// User mode: receives `bpf_printk` lines (default: standard error).
    public var printk: ((String) -> Void)?
    /// Ends a run that takes longer with ``LoopErrorKind/timedOut`` (both modes); nil for no limit.
    public var timeout: Duration?
    /// Signals that end a run with ``LoopErrorKind/interrupted`` while it runs, e.g. `[SIGINT, SIGTERM]`
    /// for a command-line tool. While such a run is in progress the loop handles these signals process-wide (an
    /// application handler installed before is not called); afterwards their previous handling is restored.
    /// Empty by default: the application's signals never end a run.
    public var interruptingSignals: [Int32] = []
    /// User mode: the most memory all of the program's maps may use together. A map that needs more fails to load
    /// with ENOMEM; a hash map grows as elements arrive, and an insert beyond the limit fails with -ENOMEM.
    public var maxMapMemory: Int = 256 << 20
    /// User mode: whether SQEs are checked before they are submitted. ``SQESandboxMode/strict`` (the default)
    /// submits an SQE only if every address it carries lies in the MEM region or in ``grants``; ``SQESandboxMode/off``
    /// submits SQEs as the kernel does. Kernel mode cannot check SQEs. See <doc:UserModeSafetyModel>.
    public var sqeSandbox: SQESandboxMode = .strict
    /// User mode: memory besides MEM that SQEs may point at under ``SQESandboxMode/strict`` (the program itself
    /// cannot load or store there).
    public var grants: [GrantedMemory] = []

    /// The defaults: auto mode, 16 SQ / 32 CQ entries, no MEM region.
    public init() {}

    /// Adds `value` for the global `name` names to ``globals`` (stored before the program is loaded, so `.rodata`
    /// can be set).
    public mutating func set<Value>(_ name: GlobalName<Value>, to value: Value) {
        globals.append((name.name, .bytes(withUnsafeBytes(of: value) { Array($0) })))
    }
}
