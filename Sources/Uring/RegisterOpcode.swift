/// `io_uring_register(2)` opcodes (`IORING_REGISTER_*`) this library uses.
public struct RegisterOpcode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let buffers = RegisterOpcode(rawValue: 0)
    public static let unregisterBuffers = RegisterOpcode(rawValue: 1)
    public static let files = RegisterOpcode(rawValue: 2)
    public static let unregisterFiles = RegisterOpcode(rawValue: 3)
    public static let eventFD = RegisterOpcode(rawValue: 4)
    public static let unregisterEventFD = RegisterOpcode(rawValue: 5)
    public static let filesUpdate = RegisterOpcode(rawValue: 6)
    public static let eventFDAsync = RegisterOpcode(rawValue: 7)
    public static let probe = RegisterOpcode(rawValue: 8)
    public static let enableRings = RegisterOpcode(rawValue: 12)
    public static let files2 = RegisterOpcode(rawValue: 13)
    public static let filesUpdate2 = RegisterOpcode(rawValue: 14)
    public static let buffers2 = RegisterOpcode(rawValue: 15)
    public static let buffersUpdate = RegisterOpcode(rawValue: 16)
    public static let ringFDs = RegisterOpcode(rawValue: 20)
    public static let unregisterRingFDs = RegisterOpcode(rawValue: 21)
    public static let pbufRing = RegisterOpcode(rawValue: 22)
    public static let unregisterPbufRing = RegisterOpcode(rawValue: 23)
    public static let memRegion = RegisterOpcode(rawValue: 34)
}
