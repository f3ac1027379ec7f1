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
        let result = cus_io_uring_enter(enterFD, toSubmit, minComplete, flags.rawValue | enterFlagsBase,
                                        argument, argumentSize)
        if result < 0 {
            throw uringFailure(result, "io_uring_enter(toSubmit: \(toSubmit), minComplete: \(minComplete), flags: 0x\(String(flags.rawValue | enterFlagsBase, radix: 16)))")
        }
        return result
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
    public mutating func push(contentsOf entries: UnsafeBufferPointer<SubmissionQueueEntry>) throws(UringError) {
        guard UInt32(entries.count) <= submissionQueue.spaceLeft else {
            throw submissionQueueFull(needed: entries.count)
        }
        for entry in entries { try push(entry) }
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
    @discardableResult
    public mutating func submit() throws(UringError) -> Int {
        try submit(waitingFor: 0)
    }

    /// Submits pushed entries and waits until at least `count` completions are ready.
    @inlinable
    @discardableResult
    public mutating func submitAndWait(_ count: UInt32) throws(UringError) -> Int {
        try submit(waitingFor: count)
    }

    /// Submits pushed entries and waits for `waitingFor` completions (liburing's `__io_uring_submit`).
    @inlinable
    mutating func submit(waitingFor: UInt32) throws(UringError) -> Int {
        let toSubmit = submissionQueue.flush()
        var flags = EnterFlags()
        var needsEnter = waitingFor > 0
        if submissionQueue.kernelPolled {
            // The SQPOLL thread may be asleep; only then does submitting need a syscall.
            cus_full_barrier()
            if submissionQueue.rawFlags & 1 != 0 {
                flags.insert(.sqWakeup)
                needsEnter = true
            }
        } else if toSubmit > 0 {
            needsEnter = true
        }
        if waitingFor > 0 || submissionQueue.rawFlags & 6 != 0 || self.flags.contains(.ioPoll) {
            // Overflowed CQEs or pending task work are flushed by GETEVENTS.
            flags.insert(.getEvents)
            needsEnter = true
        }
        guard needsEnter else { return Int(toSubmit) }
        let submitted = submissionQueue.kernelPolled ? 0 : toSubmit
        return Int(try enter(toSubmit: submitted, minComplete: waitingFor, flags: flags))
    }
}
