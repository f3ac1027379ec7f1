/// Flags for `io_uring_enter(2)` (`IORING_ENTER_*`).
public struct EnterFlags: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public var rawValue: UInt32
    /// The set with these raw bits.
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Wait for `minComplete` completions (and flush overflowed ones).
    public static let getEvents = EnterFlags(rawValue: 1 << 0)
    /// Wake the SQPOLL thread.
    public static let sqWakeup = EnterFlags(rawValue: 1 << 1)
    /// Wait until the SQ has free space (SQPOLL).
    public static let sqWait = EnterFlags(rawValue: 1 << 2)
    /// The argument is an `io_uring_getevents_arg` (timeout, sigmask).
    public static let extArg = EnterFlags(rawValue: 1 << 3)
    /// The fd argument is a registered ring index.
    public static let registeredRing = EnterFlags(rawValue: 1 << 4)
    /// The timeout is absolute.
    public static let absoluteTimer = EnterFlags(rawValue: 1 << 5)
    /// The argument is an offset into the registered wait region (with ``extArg``; see
    /// ``IoUring/registerMemoryRegion(size:kind:waitArguments:)``).
    public static let extArgRegistered = EnterFlags(rawValue: 1 << 6)
    /// Do not account the wait as iowait.
    public static let noIOWait = EnterFlags(rawValue: 1 << 7)
}
