/// `BPF_MAP_TYPE_*`, kept open so unknown types from newer kernels still parse.
public struct MapType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw kernel value.
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `BPF_MAP_TYPE_HASH`.
    public static let hash = MapType(rawValue: 1)
    /// `BPF_MAP_TYPE_ARRAY`.
    public static let array = MapType(rawValue: 2)
    /// `BPF_MAP_TYPE_PERCPU_HASH`.
    public static let percpuHash = MapType(rawValue: 5)
    /// `BPF_MAP_TYPE_PERCPU_ARRAY`.
    public static let percpuArray = MapType(rawValue: 6)
    /// `BPF_MAP_TYPE_LRU_HASH`.
    public static let lruHash = MapType(rawValue: 9)
    /// struct_ops variables from `.struct_ops` and `.struct_ops.link`.
    public static let structOps = MapType(rawValue: 26)
    /// `BPF_MAP_TYPE_RINGBUF`.
    public static let ringbuf = MapType(rawValue: 27)
    /// A readable description.
    public var description: String {
        switch rawValue {
        case 1: return "hash"
        case 2: return "array"
        case 5: return "percpu_hash"
        case 6: return "percpu_array"
        case 9: return "lru_hash"
        case 26: return "struct_ops"
        case 27: return "ringbuf"
        default: return "type(\(rawValue))"
        }
    }
}

/// Map flags used by this package (`BPF_F_*`).
public struct MapFlags: OptionSet, Hashable, Sendable {
    /// The raw kernel value.
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `BPF_F_NO_PREALLOC` (hash maps).
    public static let noPrealloc = MapFlags(rawValue: 1 << 0)
    /// Programs may not write (`.rodata`).
    public static let readOnlyProgram = MapFlags(rawValue: 1 << 7)
    /// User space may mmap the value (global data with a non-static variable).
    public static let mmapable = MapFlags(rawValue: 1 << 10)
    /// struct_ops map attached through a link.
    public static let link = MapFlags(rawValue: 1 << 13)
}

/// One global variable of a data section, from its DATASEC (after the fix-up).
public struct GlobalVariable: Equatable, Sendable {
    /// The name ("" if anonymous).
    public var name: String
    /// Byte offset within the section (= the map value).
    public var offset: Int
    /// Size in bytes.
    public var size: Int
    /// The VAR's type (not the VAR itself).
    public var typeID: UInt32
    /// Static, local or hidden: not part of the object's interface.
    public var isStatic: Bool
}

/// The contents of a global-data map (`.data`, `.rodata`, `.bss`, `.data.*`, `.rodata.*`).
public struct GlobalData: Equatable, Sendable {
    /// The ELF section name, e.g. `.rodata`.
    public var sectionName: String
    /// The initial value (zeros for `.bss`).
    public var initialBytes: [UInt8]
    /// Variables in offset order.
    public var variables: [GlobalVariable]
    /// `.rodata*`: frozen after the loader writes it; programs may not write.
    public var isReadOnly: Bool

    /// The variable called `name`.
    public func variable(named name: String) -> GlobalVariable? { variables.first { $0.name == name } }
}

/// A map the object defines: a BTF-defined map from `.maps`, or a global-data
/// section as a one-element array map.
public struct MapDefinition: Equatable, Sendable {
    /// The variable name in `.maps`, or the section name for global data.
    public var name: String
    /// The map type.
    public var type: MapType
    /// Key size in bytes (0 for ringbuf).
    public var keySize: Int
    /// Value size in bytes (0 for ringbuf).
    public var valueSize: Int
    /// `max_entries` (ringbuf: the buffer size in bytes).
    public var maxEntries: Int
    /// Flags as stored.
    public var flags: MapFlags
    /// BTF key/value types, if declared with `__type(key, ...)` (0 otherwise).
    public var keyTypeID: UInt32
    /// BTF value type (the DATASEC for global data), 0 if none.
    public var valueTypeID: UInt32
    /// `pinning`, `numa_node`, `map_extra` as declared (0 if absent).
    public var pinning: UInt32
    /// Declared `numa_node`.
    public var numaNode: UInt32
    /// Declared `map_extra`.
    public var mapExtra: UInt64
    /// Set for global-data maps.
    public var globalData: GlobalData?
}
