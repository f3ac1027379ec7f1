import BPFObject
import SystemPackage
import SystemSupport

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
            bytes = try fileBytes(atPath: path)
        } catch {
            let errno = Errno(rawValue: error.errno)
            throw BPFLoaderError(
                .kernelBTF,
                "cannot read kernel BTF \(path): \(errno.symbolicName) (\(errno.message)); the kernel needs CONFIG_DEBUG_INFO_BTF=y")
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
        let name = BTF.essentialName(name)
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

    /// The struct_ops type `name` (e.g. `io_uring_bpf_ops`; a `___flavour` suffix is ignored): `struct name`, its
    /// value type `struct bpf_struct_ops_name`, and where the ops struct sits inside the value (`data`).
    public func structOps(named name: String) throws(BPFLoaderError) -> StructOpsKernelType {
        do {
            return try btf.structOpsType(named: name)
        } catch {
            let essential = BTF.essentialName(name)
            guard btf.typeID(named: essential, kind: .struct) != nil,
                  btf.typeID(named: "bpf_struct_ops_" + essential, kind: .struct) != nil else {
                let missing = btf.typeID(named: "bpf_struct_ops_" + essential, kind: .struct) == nil
                    ? "no struct bpf_struct_ops_\(essential)" : "no struct \(essential)"
                throw BPFLoaderError(.unsupportedKernel, Self.missingMessage(essential, name: essential, source: source, detail: missing))
            }
            throw BPFLoaderError(.kernelBTF, "\(source): \(error)")
        }
    }

    /// Whether this kernel can run BPF-controlled io_uring loops (`struct_ops io_uring_bpf_ops`, Linux 7.1+).
    public var hasIoUringBPFOps: Bool { (try? structOps(named: "io_uring_bpf_ops")) != nil }

    // MARK: Private

    private func wrap<T>(_ body: () throws(BTFError) -> T) throws(BPFLoaderError) -> T {
        do { return try body() } catch { throw BPFLoaderError(.kernelBTF, "\(source): \(error)") }
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
}
