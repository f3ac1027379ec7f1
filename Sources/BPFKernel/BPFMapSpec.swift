import BPFObject
import SystemPackage

/// Everything `BPF_MAP_CREATE` needs to create one map.
///
/// File descriptors here are borrowed: the caller keeps their owners (``BTFHandle``, ``BPFMap``) alive until the map
/// has been created.
public struct BPFMapSpec: Sendable {
    /// The map type.
    public var type: MapType
    /// Key size in bytes.
    public var keySize: UInt32
    /// Value size in bytes.
    public var valueSize: UInt32
    /// Number of entries (for arrays, the highest index + 1).
    public var maxEntries: UInt32
    /// Creation flags.
    public var flags: MapFlags
    /// Object name (at most 15 bytes are kept), shown by bpftool and in errors.
    public var name: String
    /// BTF describing key and value (`btf_fd`), if any.
    public var btf: FileDescriptor?
    /// BTF type id of the key in `btf` (0: none).
    public var btfKeyTypeID: UInt32
    /// BTF type id of the value in `btf` (0: none).
    public var btfValueTypeID: UInt32
    /// For struct_ops maps: id of `struct bpf_struct_ops_<T>` in vmlinux (or module) BTF.
    public var btfVMLinuxValueTypeID: UInt32
    /// For struct_ops value types from a module: that module's BTF (`value_type_btf_obj_fd`).
    public var valueTypeBTFObject: FileDescriptor?
    /// For map-in-map types: a template inner map (`inner_map_fd`).
    public var innerMap: FileDescriptor?
    /// Type-specific extra word (`map_extra`, e.g. bloom filter hashes).
    public var mapExtra: UInt64

    /// A map spec; everything not given is zero.
    public init(
        type: MapType, keySize: UInt32, valueSize: UInt32, maxEntries: UInt32,
        flags: MapFlags = [], name: String = "",
        btf: FileDescriptor? = nil, btfKeyTypeID: UInt32 = 0, btfValueTypeID: UInt32 = 0,
        btfVMLinuxValueTypeID: UInt32 = 0, valueTypeBTFObject: FileDescriptor? = nil,
        innerMap: FileDescriptor? = nil, mapExtra: UInt64 = 0
    ) {
        self.type = type
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
        self.flags = flags
        self.name = name
        self.btf = btf
        self.btfKeyTypeID = btfKeyTypeID
        self.btfValueTypeID = btfValueTypeID
        self.btfVMLinuxValueTypeID = btfVMLinuxValueTypeID
        self.valueTypeBTFObject = valueTypeBTFObject
        self.innerMap = innerMap
        self.mapExtra = mapExtra
    }
}
