import CUringShim
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

extension IoUring {
    /// Whether the kernel holds completions it could not post yet (CQ overflow) or pending task work.
    @inlinable
    public var completionsNeedFlush: Bool { Self.completionsNeedFlush(sqFlags: submissionQueue.rawFlags) }

    /// Completions ready to consume.
    @inlinable
    public var readyCompletions: UInt32 { completionQueue.ready }

    /// The oldest completion without consuming it; nil when none is ready.
    ///
    /// If the CQ is empty but the kernel holds overflowed completions, flushes them first
    /// (`io_uring_enter` with GETEVENTS), so none is ever lost.
    @inlinable
    public func peekCompletion() throws(UringError) -> CompletionQueueEntry? {
        if let entry = completionQueue.peek() { return entry }
        guard completionsNeedFlush else { return nil }
        try flushCompletions()
        return completionQueue.peek()
    }

    /// Consumes and returns the oldest completion; nil when none is ready (flushes overflow like ``peekCompletion()``).
    @inlinable
    public mutating func popCompletion() throws(UringError) -> CompletionQueueEntry? {
        guard let entry = try peekCompletion() else { return nil }
        completionQueue.advance(by: 1)
        return entry
    }

    /// Marks `count` completions consumed (after reading them through ``peekCompletion()`` or raw views).
    @inlinable
    public mutating func advanceCompletions(by count: UInt32) {
        completionQueue.advance(by: count)
    }

    /// Waits for a completion, submitting anything pushed, and consumes it. Retries on EINTR.
    @inlinable
    public mutating func waitCompletion() throws(UringError) -> CompletionQueueEntry {
        while true {
            if let entry = try popCompletion() { return entry }
            do {
                _ = try submit(waitingFor: 1)
            } catch where error.errno == .interrupted {
                continue
            }
        }
    }

    /// Waits up to `timeout` for a completion and consumes it; nil on timeout. Uses EXT_ARG.
    public mutating func waitCompletion(timeout: Duration) throws(UringError) -> CompletionQueueEntry? {
        if let entry = try popCompletion() { return entry }
        guard try wait(for: 1, timeout: timeout) else { return try popCompletion() }
        return try popCompletion()
    }

    /// Submits anything pushed and waits until `count` completions are ready or `timeout` passes
    /// (`IORING_ENTER_EXT_ARG`). Returns false on timeout. Does not consume completions. Retries on EINTR.
    @discardableResult
    public mutating func wait(for count: UInt32, timeout: Duration) throws(UringError) -> Bool {
        var time = KernelTimespec(timeout)
        let toSubmit = submissionQueue.flush()
        while true {
            do {
                try withUnsafeMutablePointer(to: &time) { (timespec) throws(UringError) in
                    var argument = GetEventsArgument(timespec: timespec)
                    try withUnsafeBytes(of: &argument) { (raw) throws(UringError) in
                        _ = try enter(toSubmit: submissionQueue.kernelPolled ? 0 : toSubmit, minComplete: count,
                                      flags: [.getEvents, .extArg], argument: raw.baseAddress,
                                      argumentSize: raw.count)
                    }
                }
                return true
            } catch where error.errno == Errno(rawValue: ETIME) {
                return completionQueue.ready >= count
            } catch where error.errno == .interrupted {
                continue
            }
        }
    }

    /// Asks the kernel to post overflowed completions and run pending task work (`GETEVENTS`, no wait).
    @inlinable
    public func flushCompletions() throws(UringError) {
        do {
            _ = try Self.enter(enterFD, toSubmit: 0, minComplete: 0, flags: 1 | enterFlagsBase,  // GETEVENTS
                               argument: nil, argumentSize: 0, setupFlags: setupFlags)
        } catch where error.errno == .interrupted || error.errno == .resourceTemporarilyUnavailable
            || error.errno == .resourceBusy {
            // liburing treats these as "try again later" when only flushing.
        }
    }

    /// Calls `body` for every ready completion, then consumes them all with a single head store.
    /// Repeats after flushing when the kernel holds overflowed completions. Returns how many were seen.
    @inlinable
    @discardableResult
    public mutating func forEachCompletion(_ body: (CompletionQueueEntry) -> Void) throws(UringError) -> Int {
        var total = 0
        while true {
            let head = completionQueue.head.pointee
            let tail = cus_load_acquire(completionQueue.tail)
            var index = head
            while index != tail {
                body(completionQueue.entry(at: index))
                index &+= 1
            }
            if index != head { cus_store_release(completionQueue.head, index) }
            total += Int(index &- head)
            guard completionsNeedFlush else { return total }
            try flushCompletions()
            if completionQueue.ready == 0 { return total }
        }
    }

    /// Copies up to `buffer.count` ready completions into `buffer` and consumes them with one head store.
    /// Flushes overflowed completions when the CQ is empty. Returns how many were copied.
    @inlinable
    public mutating func copyCompletions(into buffer: UnsafeMutableBufferPointer<CompletionQueueEntry>)
        throws(UringError) -> Int {
        if completionQueue.ready == 0 && completionsNeedFlush { try flushCompletions() }
        let head = completionQueue.head.pointee
        let available = Int(cus_load_acquire(completionQueue.tail) &- head)
        let count = min(available, buffer.count)
        for offset in 0..<count { buffer[offset] = completionQueue.entry(at: head &+ UInt32(offset)) }
        if count > 0 { cus_store_release(completionQueue.head, head &+ UInt32(count)) }
        return count
    }
}

/// `struct io_uring_getevents_arg` (24 bytes).
@usableFromInline
struct GetEventsArgument {
    var sigmask: UInt64 = 0
    var sigmaskSize: UInt32 = 8
    var minWaitMicroseconds: UInt32 = 0
    var timespec: UInt64

    init(timespec: UnsafeMutablePointer<KernelTimespec>) {
        self.timespec = UInt64(UInt(bitPattern: timespec))
    }
}
