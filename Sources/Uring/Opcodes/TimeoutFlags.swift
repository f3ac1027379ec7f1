/// Flags for timeout requests (`IORING_TIMEOUT_*`).
public struct TimeoutFlags: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public var rawValue: UInt32
    /// The set with these raw bits.
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The time is absolute.
    public static let absolute = TimeoutFlags(rawValue: 1 << 0)
    /// Use CLOCK_BOOTTIME.
    public static let bootTime = TimeoutFlags(rawValue: 1 << 2)
    /// Use CLOCK_REALTIME.
    public static let realTime = TimeoutFlags(rawValue: 1 << 3)
    /// Complete with 0 instead of -ETIME when the time passes.
    public static let etimeSuccess = TimeoutFlags(rawValue: 1 << 5)
    /// Fire repeatedly.
    public static let multishot = TimeoutFlags(rawValue: 1 << 6)
}
