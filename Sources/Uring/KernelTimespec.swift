/// `struct __kernel_timespec`: the 16-byte time value timeouts use.
@frozen
public struct KernelTimespec: Hashable, Sendable {
    /// Whole seconds.
    public var seconds: Int64
    /// Nanoseconds (0..<1_000_000_000).
    public var nanoseconds: Int64

    /// A time of `seconds` plus `nanoseconds`.
    @inlinable
    public init(seconds: Int64, nanoseconds: Int64) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// The timespec for a Swift duration (negative durations become zero).
    public init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds < 0) {
            self.init(seconds: 0, nanoseconds: 0)
        } else {
            self.init(seconds: seconds, nanoseconds: attoseconds / 1_000_000_000)
        }
    }
}
