/// A map type (`enum bpf_map_type`), kept open so types of newer kernels still parse.
public struct MapType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The kernel's map type number.
    public var rawValue: UInt32
    /// Wraps a kernel map type number.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `BPF_MAP_TYPE_HASH`.
    public static let hash = MapType(rawValue: 1)
    /// `BPF_MAP_TYPE_ARRAY` (also used for global data sections).
    public static let array = MapType(rawValue: 2)
    /// `BPF_MAP_TYPE_PERCPU_HASH`.
    public static let perCPUHash = MapType(rawValue: 5)
    /// `BPF_MAP_TYPE_PERCPU_ARRAY`.
    public static let perCPUArray = MapType(rawValue: 6)
    /// `BPF_MAP_TYPE_LRU_HASH`.
    public static let lruHash = MapType(rawValue: 9)
    /// `BPF_MAP_TYPE_STRUCT_OPS`.
    public static let structOps = MapType(rawValue: 26)
    /// `BPF_MAP_TYPE_RINGBUF`.
    public static let ringBuffer = MapType(rawValue: 27)

    /// Whether the map keeps one value per CPU (`percpu_array`, `percpu_hash`, ...).
    public var isPerCPU: Bool { [.perCPUArray, .perCPUHash, MapType(rawValue: 10)].contains(self) }

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

/// Map creation flags (`map_flags`, the `BPF_F_*` values accepted by `BPF_MAP_CREATE`).
public struct MapFlags: OptionSet, Hashable, Sendable {
    /// The raw `map_flags` word.
    public var rawValue: UInt32
    /// Wraps a raw `map_flags` word.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `BPF_F_NO_PREALLOC`: hash maps allocate elements on demand.
    public static let noPreallocation = MapFlags(rawValue: 1 << 0)
    /// `BPF_F_RDONLY`: user space may only read through this fd.
    public static let readOnly = MapFlags(rawValue: 1 << 3)
    /// `BPF_F_WRONLY`: user space may only write through this fd.
    public static let writeOnly = MapFlags(rawValue: 1 << 4)
    /// `BPF_F_RDONLY_PROG`: programs may only read (`.rodata`).
    public static let readOnlyProgram = MapFlags(rawValue: 1 << 7)
    /// `BPF_F_WRONLY_PROG`: programs may only write.
    public static let writeOnlyProgram = MapFlags(rawValue: 1 << 8)
    /// `BPF_F_MMAPABLE`: an array map that user space can `mmap`.
    public static let mmapable = MapFlags(rawValue: 1 << 10)
    /// `BPF_F_LINK`: a struct_ops map that is registered through `BPF_LINK_CREATE`.
    public static let link = MapFlags(rawValue: 1 << 13)
    /// `BPF_F_VTYPE_BTF_OBJ_FD`: `value_type_btf_obj_fd` names the module BTF of a struct_ops value type.
    public static let valueTypeBTFObjectFD = MapFlags(rawValue: 1 << 15)
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

    /// A map definition with the given fields (BTF type ids 0, no global data unless given).
    public init(name: String, type: MapType, keySize: Int, valueSize: Int, maxEntries: Int, flags: MapFlags = [],
                keyTypeID: UInt32 = 0, valueTypeID: UInt32 = 0, pinning: UInt32 = 0, numaNode: UInt32 = 0,
                mapExtra: UInt64 = 0, globalData: GlobalData? = nil) {
        self.name = name
        self.type = type
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
        self.flags = flags
        self.keyTypeID = keyTypeID
        self.valueTypeID = valueTypeID
        self.pinning = pinning
        self.numaNode = numaNode
        self.mapExtra = mapExtra
        self.globalData = globalData
    }
}
