/// A `bpf(2)` command (`enum bpf_cmd` in `include/uapi/linux/bpf.h`).
public struct BPFCommand: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The kernel's command number.
    public var rawValue: Int32
    /// Wraps a kernel command number.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `BPF_MAP_CREATE`.
    public static let mapCreate = BPFCommand(rawValue: 0)
    /// `BPF_MAP_LOOKUP_ELEM`.
    public static let mapLookupElement = BPFCommand(rawValue: 1)
    /// `BPF_MAP_UPDATE_ELEM`.
    public static let mapUpdateElement = BPFCommand(rawValue: 2)
    /// `BPF_MAP_DELETE_ELEM`.
    public static let mapDeleteElement = BPFCommand(rawValue: 3)
    /// `BPF_MAP_GET_NEXT_KEY`.
    public static let mapGetNextKey = BPFCommand(rawValue: 4)
    /// `BPF_PROG_LOAD`.
    public static let programLoad = BPFCommand(rawValue: 5)
    /// `BPF_OBJ_GET_INFO_BY_FD`.
    public static let objectGetInfoByFD = BPFCommand(rawValue: 15)
    /// `BPF_BTF_LOAD`.
    public static let btfLoad = BPFCommand(rawValue: 18)
    /// `BPF_BTF_GET_FD_BY_ID`.
    public static let btfGetFDByID = BPFCommand(rawValue: 19)
    /// `BPF_MAP_FREEZE`.
    public static let mapFreeze = BPFCommand(rawValue: 22)
    /// `BPF_BTF_GET_NEXT_ID`.
    public static let btfGetNextID = BPFCommand(rawValue: 23)
    /// `BPF_LINK_CREATE`.
    public static let linkCreate = BPFCommand(rawValue: 28)
    /// `BPF_LINK_DETACH`.
    public static let linkDetach = BPFCommand(rawValue: 34)

    /// The uapi name, e.g. `BPF_PROG_LOAD`.
    public var description: String {
        switch self {
        case .mapCreate: "BPF_MAP_CREATE"
        case .mapLookupElement: "BPF_MAP_LOOKUP_ELEM"
        case .mapUpdateElement: "BPF_MAP_UPDATE_ELEM"
        case .mapDeleteElement: "BPF_MAP_DELETE_ELEM"
        case .mapGetNextKey: "BPF_MAP_GET_NEXT_KEY"
        case .programLoad: "BPF_PROG_LOAD"
        case .objectGetInfoByFD: "BPF_OBJ_GET_INFO_BY_FD"
        case .btfLoad: "BPF_BTF_LOAD"
        case .btfGetFDByID: "BPF_BTF_GET_FD_BY_ID"
        case .mapFreeze: "BPF_MAP_FREEZE"
        case .btfGetNextID: "BPF_BTF_GET_NEXT_ID"
        case .linkCreate: "BPF_LINK_CREATE"
        case .linkDetach: "BPF_LINK_DETACH"
        default: "bpf command \(rawValue)"
        }
    }
}
