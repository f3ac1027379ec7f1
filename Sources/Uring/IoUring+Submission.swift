import CUringShim
import SystemPackage

extension IoUring {
    /// `io_uring_enter(2)` as is: returns the kernel's result or throws.
    ///
    /// Uses the registered ring index (adding ``EnterFlags/registeredRing``) once ``registerRingFD()`` succeeded.
    /// Does not publish pushed entries: call ``flushSubmissions()`` first, or use ``submit()``.
    @inlinable
    @discardableResult
    public func enter(toSubmit: UInt32, minComplete: UInt32, flags: EnterFlags,
                      argument: UnsafeRawPointer? = nil, argumentSize: Int = 0) throws(UringError) -> Int32 {
        try Self.enter(enterFD, toSubmit: toSubmit, minComplete: minComplete, flags: flags.rawValue | enterFlagsBase,
                       argument: argument, argumentSize: argumentSize, setupFlags: setupFlags)
    }

    /// The enter syscall on plain values. Hot paths call this instead of the method so that the
    /// non-copyable ring is not copied to be borrowed across the call.
    @inlinable
    @inline(__always)
    static func enter(_ fd: Int32, toSubmit: UInt32, minComplete: UInt32, flags: UInt32,
                      argument: UnsafeRawPointer?, argumentSize: Int, setupFlags: SetupFlags)
        throws(UringError) -> Int32 {
        let result = cus_io_uring_enter(fd, toSubmit, minComplete, flags, argument, argumentSize)
        if result < 0 {
            throw enterFailure(result, toSubmit: toSubmit, minComplete: minComplete, flags: flags,
                               setupFlags: setupFlags)
        }
        return result
    }

    /// The error for a failed enter, built out of line so the hot path stays small.
    @usableFromInline
    @inline(never)
    static func enterFailure(_ result: Int32, toSubmit: UInt32, minComplete: UInt32, flags: UInt32,
                             setupFlags: SetupFlags) -> UringError {
        var hint: String?
        switch Errno(rawValue: -result) {
        case .badFileDescriptor where setupFlags.contains(.ringsDisabled):
            hint = "the ring was created disabled; call enableRings() first"
        case Errno(rawValue: 77):
            hint = "the ring is disabled (R_DISABLED); call enableRings() first"
        case .fileExists:
            hint = "a SINGLE_ISSUER/DEFER_TASKRUN ring may only be entered by the task that created it"
        case .resourceBusy, .resourceTemporarilyUnavailable:
            hint = "the kernel is out of request slots or holds overflowed CQEs; reap completions and retry"
        default:
            hint = nil
        }
        return UringError(Errno(rawValue: -result),
                          "io_uring_enter(toSubmit: \(toSubmit), minComplete: \(minComplete), flags: 0x\(String(flags, radix: 16)))",
                          hint: hint)
    }

    /// Copies `entry` into the next free SQ slot (not yet visible to the kernel until submitted).
    ///
    /// Throws `EBUSY` when the SQ is full: submit, then push again.
    @inlinable
    public mutating func push(_ entry: SubmissionQueueEntry) throws(UringError) {
        guard let slot = submissionQueue.reserve() else { throw submissionQueueFull(needed: 1) }
        slot.storeBytes(of: entry, as: SubmissionQueueEntry.self)
        if submissionQueue.entryShift == 7 { (slot + 64).initializeMemory(as: UInt8.self, repeating: 0, count: 64) }
    }

    /// Copies a batch of raw entries onto the SQ tail, all or none (throws `EBUSY` when they do not fit).
    ///
    /// This is how a caller that builds SQEs in a shadow array (e.g. a userspace emulation of SQ_REWIND)
    /// hands them to the ring; follow with ``submit()``.
    @inlinable
    @inline(__always)
    public mutating func push(contentsOf entries: UnsafeBufferPointer<SubmissionQueueEntry>) throws(UringError) {
        guard entries.count <= Int(submissionQueue.spaceLeft) else {
            throw submissionQueueFull(needed: entries.count)
        }
        submissionQueue.append(contentsOf: entries)
    }

    /// Copies a batch of raw entries onto the SQ tail (all or none) and submits them with anything pushed before.
    /// Returns how many the kernel consumed.
    ///
    /// Always inlined: a loop engine calls it once per step, and as a call of its own (with `append` another) it cost
    /// about a third of the engine's submit path. Its failures are built out of line, so what inlines is short.
    @inlinable
    @inline(__always)
    @discardableResult
    public mutating func submit(contentsOf entries: UnsafeBufferPointer<SubmissionQueueEntry>) throws(UringError) -> Int {
        try push(contentsOf: entries)
        return try submit(waitingFor: 0)
    }

    /// A pointer to the next free SQE, zeroed, for in-place preparation (liburing's `io_uring_get_sqe`).
    /// Throws `EBUSY` when the SQ is full.
    @inlinable
    public mutating func nextEntry() throws(UringError) -> UnsafeMutablePointer<SubmissionQueueEntry> {
        guard let slot = submissionQueue.reserve() else { throw submissionQueueFull(needed: 1) }
        slot.initializeMemory(as: UInt8.self, repeating: 0, count: 1 << Int(submissionQueue.entryShift))
        return slot.assumingMemoryBound(to: SubmissionQueueEntry.self)
    }

    @usableFromInline
    @inline(never)
    func submissionQueueFull(needed: Int) -> UringError {
        UringError(.resourceBusy, "push(\(needed) SQE\(needed == 1 ? "" : "s"))",
                   hint: "the submission queue is full (\(submissionQueue.capacity) entries, \(submissionQueue.pending) pending); submit first")
    }

    /// Publishes pushed entries to the kernel without entering it; returns how many the kernel has not consumed.
    @inlinable
    @discardableResult
    public mutating func flushSubmissions() -> UInt32 { submissionQueue.flush() }

    /// Submits pushed entries; returns how many the kernel consumed.
    @inlinable
    @inline(__always)
    @discardableResult
    public mutating func submit() throws(UringError) -> Int {
        try submit(waitingFor: 0)
    }

    /// Submits pushed entries and waits until at least `count` completions are ready.
    @inlinable
    @inline(__always)
    @discardableResult
    public mutating func submitAndWait(_ count: UInt32) throws(UringError) -> Int {
        try submit(waitingFor: count)
    }

    /// Submits pushed entries and waits for `waitingFor` completions (liburing's `__io_uring_submit`).
    @inlinable
    @inline(__always)
    mutating func submit(waitingFor: UInt32) throws(UringError) -> Int {
        let toSubmit = submissionQueue.flush()
        // Raw IORING_ENTER_* bits: GETEVENTS 1, SQ_WAKEUP 2.
        var flags: UInt32 = 0
        var needsEnter = waitingFor > 0
        if submissionQueue.kernelPolled {
            // The SQPOLL thread may be asleep; only then does submitting need a syscall.
            cus_full_barrier()
            if submissionQueue.rawFlags & 1 != 0 {  // IORING_SQ_NEED_WAKEUP
                flags |= 2
                needsEnter = true
            }
        } else if toSubmit > 0 {
            needsEnter = true
        }
        // IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN: overflowed CQEs or task work are flushed by GETEVENTS.
        if waitingFor > 0 || submissionQueue.rawFlags & 6 != 0 || setupFlags.rawValue & 1 != 0 {
            flags |= 1
            needsEnter = true
        }
        guard needsEnter else { return Int(toSubmit) }
        let submitted = submissionQueue.kernelPolled ? 0 : toSubmit
        return Int(try Self.enter(enterFD, toSubmit: submitted, minComplete: waitingFor, flags: flags | enterFlagsBase,
                                  argument: nil, argumentSize: 0, setupFlags: setupFlags))
    }
}
