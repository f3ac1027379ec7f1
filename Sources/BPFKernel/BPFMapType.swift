/// A map type (`enum bpf_map_type`).
public struct BPFMapType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The kernel's map type number.
    public var rawValue: UInt32
    /// Wraps a kernel map type number.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `BPF_MAP_TYPE_HASH`.
    public static let hash = BPFMapType(rawValue: 1)
    /// `BPF_MAP_TYPE_ARRAY` (also used for global data sections).
    public static let array = BPFMapType(rawValue: 2)
    /// `BPF_MAP_TYPE_PERCPU_HASH`.
    public static let perCPUHash = BPFMapType(rawValue: 5)
    /// `BPF_MAP_TYPE_PERCPU_ARRAY`.
    public static let perCPUArray = BPFMapType(rawValue: 6)
    /// `BPF_MAP_TYPE_LRU_HASH`.
    public static let lruHash = BPFMapType(rawValue: 9)
    /// `BPF_MAP_TYPE_STRUCT_OPS`.
    public static let structOps = BPFMapType(rawValue: 26)
    /// `BPF_MAP_TYPE_RINGBUF`.
    public static let ringBuffer = BPFMapType(rawValue: 27)

    /// A short name such as `array`, or the number for types without one here.
    public var description: String {
        switch self {
        case .hash: "hash"
        case .array: "array"
        case .perCPUHash: "percpu_hash"
        case .perCPUArray: "percpu_array"
        case .lruHash: "lru_hash"
        case .structOps: "struct_ops"
        case .ringBuffer: "ringbuf"
        default: "map type \(rawValue)"
        }
    }
}
