import BPFObject
import SystemPackage

/// Fills `buffer` with the kernel's `bpf_*_info` for `fd` (`BPF_OBJ_GET_INFO_BY_FD`); returns the length the
/// kernel wrote (it writes at most `buffer.count` bytes and zero-fills what it does not know).
func objectInfo(_ fd: FileDescriptor, buffer: inout [UInt8], what: String) throws(BPFError) -> Int {
    let count = buffer.count
    let result: Result<Int, BPFError> = buffer.withUnsafeMutableBytes { info in
        // union bpf_attr, struct info.
        var attr = BPFAttr(size: 16)  // offsetofend(info)
        attr.set(fd.rawValue, at: 0)  // bpf_fd
        attr.set(UInt32(count), at: 4)  // info_len
        attr.set(UnsafeRawPointer(info.baseAddress), at: 8)  // info
        return Result { () throws(BPFError) in
            try bpfCall(.objectGetInfoByFD, &attr, operation: "get info of \(what) fd \(fd.rawValue)")
            return Int(attr.uint32(at: 4))  // info_len (written back)
        }
    }
    return try result.get()
}

/// Reads fields of a `bpf_*_info` buffer by uapi offset.
struct InfoReader {
    let bytes: [UInt8]
    func u32(_ offset: Int) -> UInt32 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) } }
    func u64(_ offset: Int) -> UInt64 { bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) } }
    func name(_ offset: Int, length: Int = 16) -> String {
        let field = bytes[offset..<offset + length]
        return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// `struct bpf_map_info`.
public struct BPFMapInfo: Sendable, Equatable {
    static let layoutSize = 88
    /// The map type.
    public var type: MapType
    /// Kernel-wide map id.
    public var id: UInt32
    /// Key size in bytes.
    public var keySize: UInt32
    /// Value size in bytes.
    public var valueSize: UInt32
    /// Number of entries.
    public var maxEntries: UInt32
    /// Creation flags.
    public var flags: MapFlags
    /// The name given at creation (possibly truncated).
    public var name: String
    /// `btf_vmlinux_value_type_id` (struct_ops maps).
    public var btfVMLinuxValueTypeID: UInt32
    /// Id of the map's BTF, 0 if none.
    public var btfID: UInt32
    /// BTF type id of the key.
    public var btfKeyTypeID: UInt32
    /// BTF type id of the value.
    public var btfValueTypeID: UInt32

    init(_ fd: FileDescriptor) throws(BPFError) {
        var buffer = [UInt8](repeating: 0, count: Self.layoutSize)
        _ = try objectInfo(fd, buffer: &buffer, what: "map")
        let r = InfoReader(bytes: buffer)
        type = MapType(rawValue: r.u32(0))
        id = r.u32(4)
        keySize = r.u32(8)
        valueSize = r.u32(12)
        maxEntries = r.u32(16)
        flags = MapFlags(rawValue: r.u32(20))
        name = r.name(24)
        btfVMLinuxValueTypeID = r.u32(44)
        btfID = r.u32(64)
        btfKeyTypeID = r.u32(68)
        btfValueTypeID = r.u32(72)
    }
}

/// `struct bpf_prog_info` (the scalar fields).
public struct BPFProgramInfo: Sendable, Equatable {
    static let layoutSize = 232
    /// The program type.
    public var type: BPFProgramType
    /// Kernel-wide program id.
    public var id: UInt32
    /// The program tag (hash of its instructions), as the kernel reports it.
    public var tag: UInt64
    /// Size of the translated (post-verifier) program in bytes.
    public var translatedSize: UInt32
    /// Number of maps the program uses.
    public var mapCount: UInt32
    /// The name given at load (possibly truncated).
    public var name: String
    /// Whether the license is GPL-compatible.
    public var gplCompatible: Bool
    /// Id of the program's BTF, 0 if none.
    public var btfID: UInt32
    /// Instructions the verifier processed.
    public var verifiedInstructions: UInt32
    /// `attach_btf_id` the program was loaded with.
    public var attachBTFID: UInt32

    init(_ fd: FileDescriptor) throws(BPFError) {
        var buffer = [UInt8](repeating: 0, count: Self.layoutSize)
        _ = try objectInfo(fd, buffer: &buffer, what: "program")
        let r = InfoReader(bytes: buffer)
        type = BPFProgramType(rawValue: r.u32(0))
        id = r.u32(4)
        tag = r.u64(8)
        translatedSize = r.u32(20)  // xlated_prog_len
        mapCount = r.u32(52)  // nr_map_ids
        name = r.name(64)
        gplCompatible = r.u32(84) & 1 != 0
        btfID = r.u32(128)
        verifiedInstructions = r.u32(216)
        attachBTFID = r.u32(224)
    }
}

/// `struct bpf_btf_info`.
public struct BTFInfo: Sendable, Equatable {
    static let layoutSize = 32
    /// Kernel-wide BTF id.
    public var id: UInt32
    /// Size of the raw BTF in bytes.
    public var size: UInt32
    /// The name (`vmlinux`, a module name, or empty for user-loaded BTF).
    public var name: String
    /// Whether this is kernel (vmlinux or module) BTF.
    public var isKernelBTF: Bool

    init(_ fd: FileDescriptor) throws(BPFError) {
        var nameBuffer = [UInt8](repeating: 0, count: 64)
        var buffer = [UInt8](repeating: 0, count: Self.layoutSize)
        // The kernel copies the name through the pointer stored in the info, so call while it is pinned.
        let result: Result<Int, BPFError> = nameBuffer.withUnsafeMutableBytes { nameBytes in
            withUnsafeBytes(of: UInt64(UInt(bitPattern: nameBytes.baseAddress)).littleEndian) {
                buffer.replaceSubrange(16..<24, with: $0)  // name
            }
            withUnsafeBytes(of: UInt32(nameBytes.count).littleEndian) {
                buffer.replaceSubrange(24..<28, with: $0)  // name_len
            }
            return Result { () throws(BPFError) in try objectInfo(fd, buffer: &buffer, what: "BTF") }
        }
        _ = try result.get()
        let r = InfoReader(bytes: buffer)
        size = r.u32(8)  // btf_size
        id = r.u32(12)
        name = BPFProgram.logText(nameBuffer)
        isKernelBTF = r.u32(28) != 0
    }
}

/// `struct bpf_link_info` (the common fields, plus the map id of struct_ops links).
public struct BPFLinkInfo: Sendable, Equatable {
    static let layoutSize = 64
    /// `enum bpf_link_type` (`BPF_LINK_TYPE_STRUCT_OPS` is 9).
    public var type: UInt32
    /// Kernel-wide link id.
    public var id: UInt32
    /// Id of the linked program (0 for struct_ops links).
    public var programID: UInt32
    /// For struct_ops links: id of the struct_ops map.
    public var structOpsMapID: UInt32?

    init(_ fd: FileDescriptor) throws(BPFError) {
        var buffer = [UInt8](repeating: 0, count: Self.layoutSize)
        _ = try objectInfo(fd, buffer: &buffer, what: "link")
        let r = InfoReader(bytes: buffer)
        type = r.u32(0)
        id = r.u32(4)
        programID = r.u32(8)
        structOpsMapID = type == 9 ? r.u32(16) : nil
    }
}

extension BPFMap {
    /// Id, type, sizes, flags and BTF of this map (`BPF_OBJ_GET_INFO_BY_FD`).
    public func info() throws(BPFError) -> BPFMapInfo { try BPFMapInfo(descriptor) }
}

extension BPFProgram {
    /// Id, type, name and BTF of this program (`BPF_OBJ_GET_INFO_BY_FD`).
    public func info() throws(BPFError) -> BPFProgramInfo { try BPFProgramInfo(descriptor) }
}
