import Uring

/// What one loop step did, for `--trace` and for tests (userspace mode only).
public struct LoopStepTrace: Sendable {
    /// 0 for the first step of a run.
    public var step: Int
    /// CQEs the program consumed during the step (it advanced the CQ head past them).
    public var consumed: [CompletionQueueEntry]
    /// Each `bpf_io_uring_submit_sqes` call: the SQEs offered and what the kernel returned.
    public var submissions: [(entries: [SubmissionQueueEntry], result: Int32)]
    /// The SQEs the SQE sandbox refused (``LoopOptions/sqeSandbox``), in order: each completed with
    /// ``SQERefusal/result`` instead of being submitted.
    public var refusals: [SQERefusal]
    /// `bpf_printk` output, in order.
    public var printk: [String]
    /// `lp->cq_wait_idx` after the step.
    public var cqWaitIndex: UInt32
    /// CQ tail after the step.
    public var cqTail: UInt32
    /// What `loop_step` returned.
    public var returnValue: Int32
}

/// Receives one ``LoopStepTrace`` per step.
public typealias LoopTracer = (LoopStepTrace) -> Void
