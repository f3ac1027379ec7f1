import BPFObject
import SystemPackage

/// An object loaded into the kernel by ``KernelObjectLoader/load()``: its BTF, maps and programs, owned by this value
/// and released with it. Global variables are read and written in place through the mapped global-data maps
/// (`.rodata` is read-only after load). `attach(ringFD:)` registers the object's `io_uring_bpf_ops` with a ring.
///
/// Attachments hold their own kernel references, so they may outlive this value (and vice versa).
public struct LoadedKernelObject: ~Copyable {
    /// The object that was loaded.
    public let object: ObjectFile
    let btf: Owned<BTFHandle>
    let maps: [String: Owned<BPFMap>]
    let memories: [String: Owned<BPFMapMemory>]
    let programs: [String: Owned<BPFProgram>]
    let structOps: [StructOpsBinding]
    let globals: GlobalVariableIndex

    init(
        object: ObjectFile, btf: Owned<BTFHandle>, maps: [String: Owned<BPFMap>],
        memories: [String: Owned<BPFMapMemory>], programs: [String: Owned<BPFProgram>],
        structOps: [StructOpsBinding], globals: GlobalVariableIndex
    ) {
        self.object = object
        self.btf = btf
        self.maps = maps
        self.memories = memories
        self.programs = programs
        self.structOps = structOps
        self.globals = globals
    }

    // MARK: Globals

    /// The current value of global variable `name` (in `section`, needed only if the name is not unique), read from
    /// the map's memory, i.e. what the programs last wrote.
    public func global<T: BitwiseCopyable>(_ name: String, as type: T.Type = T.self, in section: String? = nil)
        throws(BPFLoaderError) -> T
    {
        let (data, variable) = try globals.locate(name, in: section)
        try GlobalVariableIndex.checkSize(T.self, variable, data)
        let bytes = try mappedSection(data, for: name)
        return UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: variable.offset, as: T.self)
    }

    /// Writes global variable `name` in place; programs see the new value at their next access.
    /// `.rodata` globals are frozen at load and cannot be written.
    public func setGlobal<T: BitwiseCopyable>(_ name: String, to value: T, in section: String? = nil)
        throws(BPFLoaderError)
    {
        let (data, variable) = try globals.locate(name, in: section)
        try GlobalVariableIndex.checkSize(T.self, variable, data)
        try Self.checkWritable(data, name)
        let bytes = try mappedSection(data, for: name)
        bytes.storeBytes(of: value, toByteOffset: variable.offset, as: T.self)
    }

    /// The current bytes of global variable `name` (any size, e.g. an array or a struct).
    public func globalBytes(_ name: String, in section: String? = nil) throws(BPFLoaderError) -> [UInt8] {
        let (data, variable) = try globals.locate(name, in: section)
        let bytes = try mappedSection(data, for: name)
        return Array(UnsafeRawBufferPointer(rebasing: bytes[variable.offset..<variable.offset + variable.size]))
    }

    /// Writes global variable `name` in place from raw bytes; `bytes.count` must be the variable's size.
    public func setGlobal(_ name: String, bytes: [UInt8], in section: String? = nil) throws(BPFLoaderError) {
        let (data, variable) = try globals.locate(name, in: section)
        guard bytes.count == variable.size else {
            throw BPFLoaderError(
                .usage, "global \(name) in \(data.sectionName) is \(variable.size) bytes, not \(bytes.count)")
        }
        try Self.checkWritable(data, name)
        let memory = try mappedSection(data, for: name)
        UnsafeMutableRawBufferPointer(rebasing: memory[variable.offset..<variable.offset + variable.size])
            .copyBytes(from: bytes)
    }

    /// The mapped contents of global-data section `section` (e.g. `.bss`), or nil if it is not mapped (absent, or
    /// holding only static variables). Valid while this value lives.
    public func globalSection(_ section: String) -> UnsafeRawBufferPointer? {
        memories[section].map { UnsafeRawBufferPointer($0.value.bytes) }
    }

    private static func checkWritable(_ data: GlobalData, _ name: String) throws(BPFLoaderError) {
        guard !data.isReadOnly else {
            throw BPFLoaderError(
                .usage,
                "global \(name) is in \(data.sectionName), which is frozen at load; set it with "
                    + "KernelObjectLoader.setGlobal before load()")
        }
    }

    private func mappedSection(_ data: GlobalData, for name: String) throws(BPFLoaderError)
        -> UnsafeMutableRawBufferPointer
    {
        guard let memory = memories[data.sectionName] else {
            throw BPFLoaderError(
                .usage,
                "global \(name): section \(data.sectionName) is not mapped (it has only static variables)")
        }
        return memory.value.bytes
    }

    // MARK: Kernel objects

    /// Calls `body` with the map called `name` (a `.maps` map).
    public func withMap<R>(named name: String, _ body: (borrowing BPFMap) throws(BPFError) -> R) throws(BPFError) -> R {
        guard let map = maps[name] else {
            throw BPFError(command: nil, errno: .noSuchFileOrDirectory, operation: "the object has no map \(BPFMap.quoted(name))")
        }
        return try body(map.value)
    }

    /// The fd of map `name` (a `.maps` map or a global-data section such as `.bss`); borrowed.
    public func mapDescriptor(named name: String) -> FileDescriptor? { maps[name]?.value.descriptor }

    /// The fd of the program whose entry function is `name`; borrowed.
    public func programDescriptor(named name: String) -> FileDescriptor? { programs[name]?.value.descriptor }

    /// The value for `key` in map `name` (a `.maps` map), or nil if there is none; `Key` and `Value` must have the
    /// map's key and value sizes.
    public func lookup<Key: BitwiseCopyable, Value: BitwiseCopyable>(
        _ key: Key, in name: String, as type: Value.Type = Value.self
    ) throws(BPFLoaderError) -> Value? {
        guard let map = maps[name] else { throw BPFLoaderError(.usage, "the object has no map \(name)") }
        do { return try map.value.lookup(key: key, as: Value.self) } catch {
            throw .kernel("look up \(key) in map \(name)", error)
        }
    }

    /// Sets `key` to `value` in map `name` (a `.maps` map, or a global-data section's map at key 0).
    public func update<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ key: Key, to value: Value, in name: String)
        throws(BPFLoaderError)
    {
        guard let map = maps[name] else { throw BPFLoaderError(.usage, "the object has no map \(name)") }
        do { try map.value.update(key: key, value: value) } catch {
            throw .kernel("update \(key) in map \(name)", error)
        }
    }

    /// What the kernel reports about map `name` (type, sizes, flags, BTF ids).
    public func mapInfo(named name: String) throws(BPFLoaderError) -> BPFMapInfo {
        guard let map = maps[name] else { throw BPFLoaderError(.usage, "the object has no map \(name)") }
        do { return try map.value.info() } catch { throw .kernel("get the info of map \(name)", error) }
    }

    /// What the kernel reports about the program whose entry function is `name` (type, attach BTF id, BTF).
    public func programInfo(named name: String) throws(BPFLoaderError) -> BPFProgramInfo {
        guard let program = programs[name] else { throw BPFLoaderError(.usage, "the object has no program \(name)") }
        do { return try program.value.info() } catch { throw .kernel("get the info of program \(name)", error) }
    }

    /// The fd of the object's BTF in the kernel; borrowed.
    public var btfDescriptor: FileDescriptor { btf.value.descriptor }

    /// Names of the object's struct_ops variables (`.struct_ops.link`).
    public var structOpsNames: [String] { structOps.map(\.variable.name) }

    // MARK: Attach

    /// Attaches the object's `io_uring_bpf_ops` (or the struct_ops variable `structOps`) to the io_uring `ringFD`:
    /// from then on every `io_uring_enter` on that ring runs the loop in the kernel, until the attachment is
    /// detached or goes away.
    ///
    /// Fails with `EOPNOTSUPP` if the ring lacks `IORING_SETUP_DEFER_TASKRUN` (or uses SQPOLL/IOPOLL, or the fd is
    /// not an io_uring), `EBUSY` if the ring already has ops attached, `EBADF` for a closed fd.
    public func attach(ringFD: FileDescriptor, structOps name: String? = nil) throws(BPFLoaderError)
        -> StructOpsAttachment
    {
        try attach(structOps: name, setting: ["ring_fd": UInt64(UInt32(bitPattern: ringFD.rawValue))])
    }

    /// Attaches struct_ops variable `structOps` (the only one if nil) through a link, with data members in
    /// `setting` (by kernel member name, e.g. `ring_fd`) overriding the object's values.
    ///
    /// Each attachment creates its own struct_ops map (`BPF_F_LINK`) whose value is built from the kernel's BTF:
    /// program fds in the function-pointer members, data members from the object and `setting`, everything else
    /// zero; then `BPF_LINK_CREATE` registers it.
    public func attach(structOps name: String? = nil, setting: [String: UInt64]) throws(BPFLoaderError)
        -> StructOpsAttachment
    {
        let binding = try structOpsBinding(named: name)
        let variable = binding.variable
        let kernelType = binding.kernelType
        let value = try StructOpsValue.build(
            binding, programFDs: programs.mapValues { $0.value.descriptor.rawValue }, setting: setting)
        let what = "attach struct_ops \(variable.name) (\(kernelType.name))" + Self.settingText(setting)
        let map: BPFMap
        do {
            map = try BPFMap(BPFMapSpec(
                type: .structOps, keySize: 4, valueSize: UInt32(kernelType.valueSize), maxEntries: 1, flags: .link,
                name: KernelObjectLoader.mapName(prefix: "", variable.name), btf: btf.value.descriptor,
                btfVMLinuxValueTypeID: kernelType.valueTypeID))
        } catch {
            throw .kernel(what + ": create the struct_ops map", error)
        }
        do { try map.updateFirstElement(value) } catch {
            throw .kernel(what + ": set the struct_ops map's value" + Self.hint(kernelType.name, error.errno), error)
        }
        let link: BPFLink
        do { link = try BPFLink(structOps: map) } catch {
            throw .kernel(what + Self.hint(kernelType.name, error.errno), error)
        }
        return StructOpsAttachment(name: variable.name, typeName: kernelType.name, map: map, link: link)
    }

    private func structOpsBinding(named name: String?) throws(BPFLoaderError) -> StructOpsBinding {
        if let name {
            guard let binding = structOps.first(where: { $0.variable.name == name }) else {
                throw BPFLoaderError(
                    .usage, "the object has no struct_ops \(name) (it has: \(structOpsNames.joined(separator: ", ")))")
            }
            return binding
        }
        guard structOps.count == 1 else {
            throw BPFLoaderError(
                .usage,
                structOps.isEmpty
                    ? "the object has no struct_ops variable (.struct_ops.link) to attach"
                    : "the object has several struct_ops (\(structOpsNames.joined(separator: ", "))); name one")
        }
        return structOps[0]
    }

    private static func settingText(_ setting: [String: UInt64]) -> String {
        guard !setting.isEmpty else { return "" }
        return " with " + setting.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
    }

    /// What an errno from registering io_uring_bpf_ops usually means.
    private static func hint(_ typeName: String, _ errno: Errno) -> String {
        guard typeName == "io_uring_bpf_ops" else { return "" }
        switch errno {
        case .notSupported:
            return " (the ring must have IORING_SETUP_DEFER_TASKRUN, with SINGLE_ISSUER, and neither SQPOLL nor "
                + "IOPOLL, and ring_fd must be an io_uring fd of this process)"
        case .resourceBusy: return " (the ring already has io_uring_bpf_ops attached)"
        case .badFileDescriptor: return " (ring_fd is not an open file descriptor)"
        default: return ""
        }
    }
}
