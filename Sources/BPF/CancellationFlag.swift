import Synchronization

/// A flag another thread sets to stop a running program at its next check (taken jumps and calls, at most every
/// few tens of thousands of instructions).
public final class CancellationFlag: Sendable {
    @usableFromInline let flag = Atomic<Bool>(false)

    /// A cleared flag.
    public init() {}

    /// Requests cancellation of the current (or next) run.
    public func cancel() { flag.store(true, ordering: .relaxed) }

    /// Clears the request.
    @inlinable public func reset() { flag.store(false, ordering: .relaxed) }

    /// Whether cancellation was requested.
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
