/// `io_uring_register(2)` opcodes (`IORING_REGISTER_*`) this library uses.
public struct RegisterOpcode: RawRepresentable, Hashable, Sendable {
    /// The opcode number.
    public var rawValue: UInt32
    /// The opcode with this number.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `IORING_REGISTER_BUFFERS` (0).
    public static let buffers = RegisterOpcode(rawValue: 0)
    /// `IORING_UNREGISTER_BUFFERS` (1).
    public static let unregisterBuffers = RegisterOpcode(rawValue: 1)
    /// `IORING_REGISTER_FILES` (2).
    public static let files = RegisterOpcode(rawValue: 2)
    /// `IORING_UNREGISTER_FILES` (3).
    public static let unregisterFiles = RegisterOpcode(rawValue: 3)
    /// `IORING_REGISTER_EVENTFD` (4).
    public static let eventFD = RegisterOpcode(rawValue: 4)
    /// `IORING_UNREGISTER_EVENTFD` (5).
    public static let unregisterEventFD = RegisterOpcode(rawValue: 5)
    /// `IORING_REGISTER_FILES_UPDATE` (6).
    public static let filesUpdate = RegisterOpcode(rawValue: 6)
    /// `IORING_REGISTER_EVENTFD_ASYNC` (7).
    public static let eventFDAsync = RegisterOpcode(rawValue: 7)
    /// `IORING_REGISTER_PROBE` (8).
    public static let probe = RegisterOpcode(rawValue: 8)
    /// `IORING_REGISTER_ENABLE_RINGS` (12).
    public static let enableRings = RegisterOpcode(rawValue: 12)
    /// `IORING_REGISTER_FILES2` (13).
    public static let files2 = RegisterOpcode(rawValue: 13)
    /// `IORING_REGISTER_FILES_UPDATE2` (14).
    public static let filesUpdate2 = RegisterOpcode(rawValue: 14)
    /// `IORING_REGISTER_BUFFERS2` (15).
    public static let buffers2 = RegisterOpcode(rawValue: 15)
    /// `IORING_REGISTER_BUFFERS_UPDATE` (16).
    public static let buffersUpdate = RegisterOpcode(rawValue: 16)
    /// `IORING_REGISTER_RING_FDS` (20).
    public static let ringFDs = RegisterOpcode(rawValue: 20)
    /// `IORING_UNREGISTER_RING_FDS` (21).
    public static let unregisterRingFDs = RegisterOpcode(rawValue: 21)
    /// `IORING_REGISTER_PBUF_RING` (22).
    public static let pbufRing = RegisterOpcode(rawValue: 22)
    /// `IORING_UNREGISTER_PBUF_RING` (23).
    public static let unregisterPbufRing = RegisterOpcode(rawValue: 23)
    /// `IORING_REGISTER_MEM_REGION` (34).
    public static let memRegion = RegisterOpcode(rawValue: 34)
}
