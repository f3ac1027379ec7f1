import BPFObject
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The running kernel's BTF (`/sys/kernel/btf/vmlinux`), parsed with `BPFObject`'s BTF reader, and the lookups a
/// loader makes in it: kfuncs by name and struct_ops types with their value layout. Ids and offsets always come
/// from here, never from constants: they differ between kernel builds.
public struct KernelBTF: Sendable {
    /// The parsed BTF.
    public let btf: BTF
    /// Where it was read from (for messages).
    public let source: String

    /// Where the kernel exposes its own BTF.
    public static let vmlinuxPath = "/sys/kernel/btf/vmlinux"

    /// Wraps already parsed kernel BTF (e.g. a saved copy of another kernel's).
    public init(btf: BTF, source: String = "(kernel BTF in memory)") {
        self.btf = btf
        self.source = source
    }

    /// Reads and parses raw kernel BTF from `path`.
    public init(contentsOf path: String) throws(BPFLoaderError) {
        let bytes: [UInt8]
        do {
            bytes = try Self.readFile(path)
        } catch {
            throw BPFLoaderError(
                .kernelBTF,
                "cannot read kernel BTF \(path): \(error.name) (\(error.message)); the kernel needs CONFIG_DEBUG_INFO_BTF=y")
        }
        do {
            btf = try BTF(bytes: bytes)
        } catch {
            throw BPFLoaderError(.kernelBTF, "kernel BTF \(path) is malformed: \(error)")
        }
        source = path
    }

    private static let cachedVMLinux = Result { () throws(BPFLoaderError) in try KernelBTF(contentsOf: vmlinuxPath) }

    /// The running kernel's BTF, read and parsed once per process.
    public static func current() throws(BPFLoaderError) -> KernelBTF { try cachedVMLinux.get() }

    // MARK: Lookups

    /// A kernel function callable from BPF (kfunc): its BTF `FUNC` id, used as the call's `imm` (with `off` 0 for
    /// vmlinux), and the number of parameters of its prototype.
    public struct Function: Sendable, Equatable {
        /// The kfunc's name.
        public var name: String
        /// Id of its `FUNC` type in the kernel BTF.
        public var typeID: UInt32
        /// Number of parameters in its `FUNC_PROTO`.
        public var parameterCount: Int
    }

    /// The kfunc called `name` (a `___flavour` suffix is ignored).
    public func kfunc(named name: String) throws(BPFLoaderError) -> Function {
        let name = Self.essentialName(name)
        guard let id = btf.typeID(named: name, kind: .function) else {
            throw BPFLoaderError(.unsupportedKernel, Self.missingMessage("kfunc \(name)", name: name, source: source))
        }
        guard case .function(let proto, _) = try wrap({ () throws(BTFError) in try btf.type(id) }).body,
            case .prototype(_, let parameters) = try wrap({ () throws(BTFError) in try btf.type(proto) }).body
        else {
            throw BPFLoaderError(.kernelBTF, "\(source): FUNC \(name) (id \(id)) has no FUNC_PROTO")
        }
        return Function(name: name, typeID: id, parameterCount: parameters.count)
    }

    /// The struct_ops type `name` (e.g. `io_uring_bpf_ops`): `struct name`, its value type
    /// `struct bpf_struct_ops_name`, and where the ops struct sits inside the value (`data`).
    public func structOps(named name: String) throws(BPFLoaderError) -> StructOpsType {
        let name = Self.essentialName(name)
        let valueName = "bpf_struct_ops_" + name
        guard let valueTypeID = btf.typeID(named: valueName, kind: .struct) else {
            throw BPFLoaderError(.unsupportedKernel, Self.missingMessage(name, name: name, source: source,
                                                                          detail: "no struct \(valueName)"))
        }
        guard let typeID = btf.typeID(named: name, kind: .struct) else {
            throw BPFLoaderError(.unsupportedKernel, Self.missingMessage(name, name: name, source: source,
                                                                          detail: "no struct \(name)"))
        }
        return try wrap { () throws(BTFError) -> StructOpsType in
            let valueMembers = try btf.members(of: valueTypeID)
            guard let data = valueMembers.first(where: { $0.type == typeID }) else {
                throw BTFError.malformedType(
                    typeID: valueTypeID, reason: "struct \(valueName) has no member of type struct \(name)")
            }
            var members: [StructOpsType.Member] = []
            for member in try btf.members(of: typeID) {
                guard member.bitfieldSize == 0, member.bitOffset % 8 == 0 else {
                    throw BTFError.malformedType(typeID: typeID, reason: "member \(member.name) is a bitfield")
                }
                let resolved = try btf.resolve(member.type)
                var isFunctionPointer = false
                if btf.kind(of: resolved) == .pointer, case .reference(let pointee) = try btf.type(resolved).body {
                    isFunctionPointer = btf.kind(of: try btf.resolve(pointee)) == .functionPrototype
                }
                members.append(StructOpsType.Member(
                    name: member.name, index: member.index, offset: member.offset, size: try btf.size(of: member.type),
                    isFunctionPointer: isFunctionPointer))
            }
            return StructOpsType(
                name: name, typeID: typeID, size: try btf.size(of: typeID), valueTypeID: valueTypeID,
                valueSize: try btf.size(of: valueTypeID), dataOffset: data.offset, members: members)
        }
    }

    /// Whether this kernel can run BPF-controlled io_uring loops (`struct_ops io_uring_bpf_ops`, Linux 7.1+).
    public var hasIoUringBPFOps: Bool { (try? structOps(named: "io_uring_bpf_ops")) != nil }

    // MARK: Private

    private func wrap<T>(_ body: () throws(BTFError) -> T) throws(BPFLoaderError) -> T {
        do { return try body() } catch { throw BPFLoaderError(.kernelBTF, "\(source): \(error)") }
    }

    /// Drops a libbpf-style `___flavour` suffix.
    static func essentialName(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard bytes.count > 3 else { return name }
        for start in stride(from: bytes.count - 3, to: 0, by: -1)
        where bytes[start] == UInt8(ascii: "_") && bytes[start + 1] == UInt8(ascii: "_")
            && bytes[start + 2] == UInt8(ascii: "_")
        {
            return String(decoding: bytes[..<start], as: UTF8.self)
        }
        return name
    }

    /// The Linux release that introduced things this project needs, for messages.
    private static let introducedIn: [String: String] = [
        "io_uring_bpf_ops": "7.1", "bpf_io_uring_submit_sqes": "7.1", "bpf_io_uring_get_region": "7.1",
    ]

    /// "this kernel has no io_uring_bpf_ops (needs Linux 7.1+); running Linux 6.18.0: no struct ... in ...".
    private static func missingMessage(_ what: String, name: String, source: String, detail: String? = nil) -> String {
        var text = "this kernel has no \(what)"
        if let version = introducedIn[name] { text += " (needs Linux \(version)+)" }
        text += "; running Linux \(kernelRelease)"
        text += ": \(detail ?? "no FUNC \(name)") in \(source)"
        return text
    }

    /// `uname -r`.
    static var kernelRelease: String {
        var names = utsname()
        guard uname(&names) == 0 else { return "(unknown release)" }
        return withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private static func readFile(_ path: String) throws(Errno) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            if count == 0 { return result }
            result += chunk[..<count]
        }
    }
}

extension KernelBTF {
    /// A struct_ops type as the kernel defines it: `struct T` (the ops table) and `struct bpf_struct_ops_T`, the
    /// value of a struct_ops map, which holds `T` at `dataOffset` after a common header.
    public struct StructOpsType: Sendable, Equatable {
        /// A member of `struct T`.
        public struct Member: Sendable, Equatable {
            /// Member name.
            public var name: String
            /// Position in the struct: a program's `expected_attach_type` for function-pointer members.
            public var index: Int
            /// Byte offset within `struct T`.
            public var offset: Int
            /// Size in bytes.
            public var size: Int
            /// A pointer to a function prototype (a slot for a program).
            public var isFunctionPointer: Bool
        }

        /// `T`, e.g. `io_uring_bpf_ops`.
        public var name: String
        /// Id of `struct T`: a program's `attach_btf_id`.
        public var typeID: UInt32
        /// Size of `struct T`.
        public var size: Int
        /// Id of `struct bpf_struct_ops_T`: the map's `btf_vmlinux_value_type_id`.
        public var valueTypeID: UInt32
        /// Size of `struct bpf_struct_ops_T`: the map's value size.
        public var valueSize: Int
        /// Byte offset of the `data` member (`struct T`) inside the value.
        public var dataOffset: Int
        /// The members of `struct T`, in order.
        public var members: [Member]

        /// The member called `name`.
        public func member(named name: String) -> Member? { members.first { $0.name == name } }
    }
}
