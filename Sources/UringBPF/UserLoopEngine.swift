import SystemPackage
import Uring

#if canImport(Glibc)
import Glibc
#endif

/// The kernel's `io_run_loop`, in Swift, over a real ring: calls a step function (a BPF program run by our
/// interpreter, or a Swift closure), emulates the kfuncs `bpf_io_uring_submit_sqes` and
/// `bpf_io_uring_get_region`, and waits for completions the way the kernel does between steps.
///
/// Semantics follow the kernel's `io_run_loop` (io_uring/loop.c): `lp` is zeroed per run; STOP returns 0; any
/// value but CONTINUE is EINVAL; `nr_wait = (int)(cq_wait_idx - cq.tail)` and, if positive, the loop sleeps
/// until the CQ tail reaches `cq_wait_idx`; a stop request (interrupt, timeout, cancellation) ends the run,
/// keeping program state so the next run resumes. Everything runs on the loop's thread.
final class UserLoopEngine {
    /// The ring. Only this engine submits to it while a program is bound. Accesses never overlap: the engine
    /// touches it only inside `run`, and `withRing` runs on the loop's thread between runs, so the dynamic
    /// exclusivity check (~15 ns per submit) is left out.
    @exclusivity(unchecked) var ring: IoUring
    let regions: UserRegions
    /// Where the kernel's `struct iou_loop_params` lives for the step function (4 bytes, zeroed per run).
    let params: UnsafeMutablePointer<UInt32>
    /// Stops a run after this many steps (a test aid), reported as a program fault.
    let stepBudget: Int?
    /// Receives a trace of every step when set.
    let tracer: LoopTracer?
    /// Checks the addresses in SQEs before they are submitted (nil: ``SQESandboxMode/off``).
    let sandbox: SQESandbox?
    /// Where `bpf_printk` output goes when no tracer collects it.
    let printkSink: (String) -> Void
    /// Whether a BPF program runs the steps (its instructions are counted in the statistics).
    var countsInstructions = false
    /// The run in progress: what asks it to stop.
    private(set) var control: RunControl?

    /// SQ entries of the ring (fixed at setup; kept here so a submit does not borrow `ring` to read it).
    private let sqEntries: UInt32
    // The engine's own bookkeeping, touched several times per step: only this class's methods use these, on
    // the loop's thread, and never across a call that could access them again (the tracer is called after
    // `trace` is cleared), so the dynamic exclusivity checks (about 10 ns each) are left out.
    @exclusivity(unchecked) private(set) var statistics = LoopStatistics()
    @exclusivity(unchecked) private var trace: LoopStepTrace?

    /// A ring for `options`. User mode adds TASKRUN_FLAG (to see pending task work without a syscall) and, where
    /// the kernel rejects SQ_REWIND (before 7.1), drops it and emulates it.
    init(options: LoopOptions) throws(LoopError) {
        let flags = loopRingFlags.union(.taskrunFlag)
        var emulate = false
        do {
            ring = try makeLoopRing(options, flags: flags)
        } catch where error.errno == .invalidArgument {
            ring = try makeLoopRing(options, flags: flags.subtracting(.sqRewind))
            emulate = true
        }
        sqEntries = ring.sqEntries
        regions = try UserRegions(ring: ring, emulateRewind: emulate)
        params = .allocate(capacity: 1)
        params.initialize(to: 0)
        stepBudget = options.stepBudget
        tracer = options.tracer
        sandbox = options.sqeSandbox == .strict ? SQESandbox(mem: regions.mem, grants: options.grants) : nil
        printkSink = options.printk ?? { line in writeStandardError(line + "\n") }
    }

    deinit { params.deallocate() }

    // MARK: kfuncs

    /// `bpf_io_uring_get_region(ctx, id, size)`.
    func region(_ id: UInt32, size: UInt64) -> UnsafeMutableRawBufferPointer? {
        regions.region(id, size: size)
    }

    /// `bpf_io_uring_submit_sqes(ctx, nr)`: submits like the kernel and returns the count or -errno.
    ///
    /// Inlined into its two callers (the kfunc and ``LoopStepContext/submit(_:)``), which do nothing else.
    @inline(__always)
    func submit(_ nr: UInt32) -> Int32 {
        let count = Int(min(nr, sqEntries))
        let entries = regions.shadowEntries(count)
        let result: Int32
        // The common case, kept short: untraced, SQ_REWIND emulated, and SQEs the sandbox passes at a glance.
        if _fastPath(trace == nil && regions.isShadowed && count > 0 && (sandbox?.passesUnchanged(entries) ?? true)) {
            result = submitCopies(entries)
        } else {
            result = submitChecked(nr, entries)
        }
        statistics.syscalls += 1
        if result > 0 { statistics.sqesSubmitted! += Int(result) }
        // Inline completions (NOPs, ...) are in the CQ when submit_sqes returns, as in the kernel.
        regions.syncIn()
        return result
    }

    /// `submit` with the sandbox's full check (and its refusals traced), native SQ_REWIND, or a trace.
    @inline(never)
    private func submitChecked(_ nr: UInt32, _ entries: UnsafeBufferPointer<SubmissionQueueEntry>) -> Int32 {
        let count = entries.count
        let offered = trace != nil ? Array(entries) : []
        let result: Int32
        if let sandbox, count > 0, let checked = check(entries, sandbox) {
            result = submit(checked, nr)
        } else if regions.isShadowed {
            // SQ_REWIND: the first min(nr, sq_entries) SQEs from index 0.
            guard count > 0 else { return 0 }
            result = submitCopies(entries)
        } else {
            result = enter(nr)
        }
        trace?.submissions.append((offered, result))
        return result
    }

    /// The SQEs to submit instead of `entries` when the sandbox refused or rewrote any (nil: submit `entries`).
    /// Refusals go to the step's trace.
    private func check(_ entries: UnsafeBufferPointer<SubmissionQueueEntry>, _ sandbox: SQESandbox) -> [SubmissionQueueEntry]? {
        sandbox.beginBatch()
        var checked: [SubmissionQueueEntry]?
        for i in entries.indices {
            switch sandbox.check(entries[i]) {
            case .unchanged:
                continue
            case .rewritten(let sqe):
                if checked == nil { checked = Array(entries) }
                checked![i] = sqe
            case .refused(let refusal):
                if checked == nil { checked = Array(entries) }
                checked![i] = SQESandbox.replacement(for: entries[i], errno: refusal.errno)
                trace?.refusals.append(SQERefusal(step: statistics.steps ?? 0, index: i, opcode: Opcode(rawValue: entries[i].opcode),
                                                  field: refusal.field, address: refusal.address, result: -refusal.errno,
                                                  reason: refusal.reason))
            }
        }
        return checked
    }

    /// Submits `checked` in place of the program's SQEs; the program's SQ region keeps what it wrote.
    private func submit(_ checked: [SubmissionQueueEntry], _ nr: UInt32) -> Int32 {
        if regions.isShadowed { return checked.withUnsafeBufferPointer { submitCopies($0) } }
        // Native SQ_REWIND: the kernel reads the SQEs from the SQ region, which is the program's, so put the checked
        // ones there for the syscall (the kernel has read them all when it returns) and restore the program's.
        let sq = regions.sq.baseAddress!.assumingMemoryBound(to: SubmissionQueueEntry.self)
        let original = Array(UnsafeBufferPointer(start: sq, count: checked.count))
        sq.update(from: checked, count: checked.count)
        defer { sq.update(from: original, count: original.count) }
        return enter(nr)
    }

    /// Copies `entries` to the real SQ and submits them (SQ_REWIND emulated). Inlined into `submit`'s fast path,
    /// which is most of what a step does besides the program.
    @inline(__always)
    private func submitCopies(_ entries: UnsafeBufferPointer<SubmissionQueueEntry>) -> Int32 {
        do {
            return Int32(try ring.submit(contentsOf: entries))
        } catch {
            return -error.errno.rawValue
        }
    }

    /// `io_uring_enter` submitting `nr` SQEs from the SQ region (native SQ_REWIND).
    private func enter(_ nr: UInt32) -> Int32 {
        do {
            return try ring.enter(toSubmit: nr, minComplete: 0, flags: [])
        } catch {
            return -error.errno.rawValue
        }
    }

    /// Adds `count` BPF instructions to the run's statistics.
    @inline(__always)
    func countInstructions(_ count: UInt64) { statistics.instructions? += Int(truncatingIfNeeded: count) }

    /// `bpf_printk` output from the running program.
    func printk(_ line: String) {
        if trace != nil { trace!.printk.append(line) } else { printkSink(line) }
    }

    // MARK: The loop

    /// Runs the loop until the step function returns STOP (then returns the statistics) or the run fails.
    ///
    /// `step` reads and writes `params` (the `cq_wait_idx` word) and returns `loop_step`'s value. `control` says
    /// when the run must end early.
    @inline(__always)
    func run(_ control: RunControl, _ step: () throws(LoopError) -> Int32) throws(LoopError) -> LoopStatistics {
        self.control = control
        defer { self.control = nil }
        statistics = LoopStatistics(instructions: countsInstructions ? 0 : nil)
        let startTail = regions.realTail
        // On every exit, also a failed one (lastStatistics), count the CQEs the kernel posted.
        defer { statistics.cqesProduced = Int(regions.realTail &- startTail) }
        params.pointee = 0
        regions.syncIn()
        // Fixed for the run (set up before it), so read once rather than per step.
        let stepBudget = self.stepBudget, tracer = self.tracer
        while true {
            if control.request != .none { throw stopped(control.request) }
            if let stepBudget, statistics.steps! >= stepBudget {
                throw LoopError(.programFault, errno: .argListTooLong, "step budget of \(stepBudget) exhausted without IOU_LOOP_STOP")
            }
            let headBefore = tracer == nil ? 0 : regions.programHead
            if tracer != nil {
                trace = LoopStepTrace(step: statistics.steps!, consumed: [], submissions: [], refusals: [], printk: [],
                                      cqWaitIndex: 0, cqTail: 0, returnValue: 0)
            }
            let value = try step()
            statistics.steps! += 1
            regions.syncOut()
            if var t = trace, let tracer {
                let headAfter = regions.programHead
                var i = headBefore
                while i != headAfter, t.consumed.count <= Int(ring.cqEntries) {
                    t.consumed.append(regions.completion(at: i))
                    i &+= 1
                }
                t.cqWaitIndex = params.pointee
                t.cqTail = regions.realTail
                t.returnValue = value
                trace = nil
                tracer(t)
            }
            switch LoopStepResult(rawValue: value) {
            case .stop:
                statistics.cqesProduced = Int(regions.realTail &- startTail)
                return statistics
            case .other(let v):
                throw LoopError(.runFailed, errno: .invalidArgument,
                                "loop_step returned \(v), which is neither IOU_LOOP_CONTINUE (0) nor IOU_LOOP_STOP (1)")
            case .continue: break
            }
            // With DEFER_TASKRUN the kernel posts CQEs only inside our own io_uring_enter calls, so the
            // shadow needs syncing only after one (submits sync themselves).
            let target = params.pointee
            if Int32(bitPattern: target &- regions.realTail) > 0 || regions.completionsNeedFlush {
                try waitForCompletions(target, control)
                regions.syncIn()
            }
        }
    }

    /// The statistics of the run so far (also after a failed run).
    var lastStatistics: LoopStatistics { statistics }

    /// Sleeps until the CQ tail reaches `target` (the step's `cq_wait_idx`) when it is ahead; otherwise runs pending
    /// task work (posting deferred completions) and flushes overflowed CQEs, as the kernel does after every step.
    /// The run loop calls it only when there is something to do (out of line: most steps of a busy loop have not).
    @inline(never)
    private func waitForCompletions(_ target: UInt32, _ control: RunControl) throws(LoopError) {
        let nrWait = Int32(bitPattern: target &- regions.realTail)
        if nrWait > 0 {
            // io_uring_enter waits for (tail - head) >= min_complete; the kernel's loop for tail >= target.
            let needed = target &- regions.realHead
            statistics.waits! += 1
            while Int32(bitPattern: target &- regions.realTail) > 0 {
                if control.request != .none { throw stopped(control.request) }
                statistics.syscalls += 1
                do {
                    _ = try ring.enter(toSubmit: 0, minComplete: needed, flags: .getEvents)
                } catch where error.errno == .interrupted {
                    continue  // a wake-up: the request, if any, is checked above
                } catch {
                    throw LoopError(.runFailed, errno: error.errno, "waiting for CQ index \(target): \(error)")
                }
            }
        } else {
            statistics.syscalls += 1
            try? ring.flushCompletions()
        }
    }

    /// The error for a run that `request` ended.
    func stopped(_ request: StopRequest) -> LoopError {
        stopError(request, steps: statistics.steps ?? 0)
    }
}

/// The error for a run ended by `request` after `steps` steps (nil: not observable, kernel mode).
func stopError(_ request: StopRequest, steps: Int?) -> LoopError {
    let when = steps.map { " after \($0) step\($0 == 1 ? "" : "s")" } ?? ""
    let resume = "; program state is kept, run again to resume"
    switch request {
    case .timedOut: return LoopError(.timedOut, "the run's timeout elapsed\(when)" + resume)
    case .cancelled: return LoopError(.cancelled, "the task running the loop was cancelled\(when)" + resume)
    case .interrupted, .none: return LoopError(.interrupted, "interrupted\(when)" + resume)
    }
}

/// Writes `text` to file descriptor 2.
func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
