/// What one `runLoop()` did: the counters a user compares between modes.
///
/// In kernel mode the kernel runs the loop, so `steps`, `waits` and (on an SQ_REWIND ring, whose SQ head
/// never moves) `sqesSubmitted` are not observable and stay `nil`; `syscalls` is then 1 and the CQE count
/// comes from the ring's CQ tail.
public struct LoopStatistics: Sendable, Equatable, CustomStringConvertible {
    /// `loop_step` invocations.
    public var steps: Int?
    /// Times the loop slept waiting for completions.
    public var waits: Int?
    /// `io_uring_enter` calls made on behalf of the program.
    public var syscalls: Int
    /// SQEs the kernel consumed.
    public var sqesSubmitted: Int?
    /// CQEs the kernel posted during the run.
    public var cqesProduced: Int
    /// BPF instructions the program executed (user mode; nil in kernel mode and for a step written in Swift).
    public var instructions: Int?

    /// Zeroed statistics.
    public init(steps: Int? = 0, waits: Int? = 0, syscalls: Int = 0, sqesSubmitted: Int? = 0, cqesProduced: Int = 0,
                instructions: Int? = nil) {
        self.instructions = instructions
        self.steps = steps
        self.waits = waits
        self.syscalls = syscalls
        self.sqesSubmitted = sqesSubmitted
        self.cqesProduced = cqesProduced
    }

    public var description: String {
        func show(_ v: Int?) -> String { v.map(String.init) ?? "n/a" }
        var text = "steps \(show(steps)), waits \(show(waits)), syscalls \(syscalls), SQEs \(show(sqesSubmitted)), CQEs \(cqesProduced)"
        if let instructions { text += ", BPF instructions \(instructions)" }
        return text
    }
}
