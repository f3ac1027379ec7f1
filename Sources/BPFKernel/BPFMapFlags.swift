/// Map creation flags (`map_flags`, the `BPF_F_*` values accepted by `BPF_MAP_CREATE`).
public struct BPFMapFlags: OptionSet, Hashable, Sendable {
    /// The raw `map_flags` word.
    public var rawValue: UInt32
    /// Wraps a raw `map_flags` word.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `BPF_F_NO_PREALLOC`: hash maps allocate elements on demand.
    public static let noPreallocation = BPFMapFlags(rawValue: 1 << 0)
    /// `BPF_F_RDONLY`: user space may only read through this fd.
    public static let readOnly = BPFMapFlags(rawValue: 1 << 3)
    /// `BPF_F_WRONLY`: user space may only write through this fd.
    public static let writeOnly = BPFMapFlags(rawValue: 1 << 4)
    /// `BPF_F_RDONLY_PROG`: programs may only read (`.rodata`).
    public static let readOnlyProgram = BPFMapFlags(rawValue: 1 << 7)
    /// `BPF_F_WRONLY_PROG`: programs may only write.
    public static let writeOnlyProgram = BPFMapFlags(rawValue: 1 << 8)
    /// `BPF_F_MMAPABLE`: an array map that user space can `mmap`.
    public static let mmapable = BPFMapFlags(rawValue: 1 << 10)
    /// `BPF_F_LINK`: a struct_ops map that is registered through `BPF_LINK_CREATE`.
    public static let link = BPFMapFlags(rawValue: 1 << 13)
    /// `BPF_F_VTYPE_BTF_OBJ_FD`: `value_type_btf_obj_fd` names the module BTF of a struct_ops value type.
    public static let valueTypeBTFObjectFD = BPFMapFlags(rawValue: 1 << 15)
}

/// How `BPFMap.update` treats an existing element (`BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`).
public enum BPFMapUpdateMode: UInt64, Sendable {
    /// `BPF_ANY`: create or replace.
    case any = 0
    /// `BPF_NOEXIST`: create only; EEXIST if the key is present.
    case noExist = 1
    /// `BPF_EXIST`: replace only; ENOENT if the key is absent.
    case exist = 2
}
