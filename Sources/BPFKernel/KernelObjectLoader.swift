import BPFObject
import SystemPackage

/// Loads an ``/BPFObject/ObjectFile`` into the kernel, in two phases so that globals can be set before load:
/// ``setGlobal(_:to:in:)`` stages values (the only way to set `.rodata`), ``load()`` creates the kernel objects, and
/// ``LoadedKernelObject/attach(ringFD:structOps:)`` attaches the loop program to a ring, whose `io_uring_enter` then
/// runs it; ``LoadedKernelObject/global(_:as:in:)`` reads a global in place (the maps are mmapped).
///
/// `load()` resolves everything against the kernel's BTF first (struct_ops types, kfuncs), so a kernel without
/// `io_uring_bpf_ops` fails with a clear message before any kernel object is created. Then it uploads the object's
/// BTF (`.ksyms` rewritten, DATASECs fixed up), creates the maps (global-data maps filled from the staging image,
/// `.rodata` frozen, all mmapped), and loads each struct_ops program with its relocations applied and its
/// func_info/line_info, so a verifier rejection names source lines.
public struct KernelObjectLoader: Sendable {
    /// The object to load.
    public let object: ObjectFile
    /// A short name used as the prefix of global-data map names (`name.rodata`), as libbpf does.
    public let name: String
    /// The values global-data maps get at load, by section; starts as the object's initial data.
    private var images: [String: [UInt8]]
    private let globals: GlobalVariableIndex

    /// Prepares `object` for loading; its globals start with their initial values.
    public init(_ object: ObjectFile, name: String = "") {
        self.object = object
        self.name = name
        globals = GlobalVariableIndex(object)
        var images: [String: [UInt8]] = [:]
        for section in globals.sections { images[section.sectionName] = section.initialBytes }
        self.images = images
    }

    // MARK: Globals before load

    /// Sets global variable `name` (in `section`, needed only if the name is not unique) in the staging image.
    /// This is the only way to set `.rodata` (`const volatile`) values: they are frozen at load.
    public mutating func setGlobal<T: BitwiseCopyable>(_ name: String, to value: T, in section: String? = nil)
        throws(BPFLoaderError)
    {
        let (data, variable) = try globals.locate(name, in: section)
        try GlobalVariableIndex.checkSize(T.self, variable, data)
        withUnsafeBytes(of: value) { bytes in
            images[data.sectionName]!.replaceSubrange(variable.offset..<variable.offset + variable.size, with: bytes)
        }
    }

    /// Sets global variable `name` to raw bytes (e.g. an array); `bytes.count` must be the variable's size.
    public mutating func setGlobal(_ name: String, bytes: [UInt8], in section: String? = nil) throws(BPFLoaderError) {
        let (data, variable) = try globals.locate(name, in: section)
        guard bytes.count == variable.size else {
            throw BPFLoaderError(
                .usage, "global \(name) in \(data.sectionName) is \(variable.size) bytes, not \(bytes.count)")
        }
        images[data.sectionName]!.replaceSubrange(variable.offset..<variable.offset + variable.size, with: bytes)
    }

    /// The staged value of global variable `name`.
    public func global<T: BitwiseCopyable>(_ name: String, as type: T.Type = T.self, in section: String? = nil)
        throws(BPFLoaderError) -> T
    {
        let (data, variable) = try globals.locate(name, in: section)
        try GlobalVariableIndex.checkSize(T.self, variable, data)
        return images[data.sectionName]!.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: variable.offset, as: T.self) }
    }

    /// The staged contents of global-data section `section` (e.g. `.data`), or nil if the object has none.
    public func globalSection(_ section: String) -> [UInt8]? { images[section] }

    // MARK: Load

    /// Loads the object into the running kernel (see the type's description).
    public func load() throws(BPFLoaderError) -> LoadedKernelObject {
        try load(kernelBTF: KernelBTF.current())
    }

    /// Loads the object, resolving kernel types and kfuncs in `kernelBTF` (which must describe the running kernel).
    public func load(kernelBTF kernel: KernelBTF) throws(BPFLoaderError) -> LoadedKernelObject {
        // Everything that needs only BTF comes first, so an unsupported kernel creates nothing.
        let plan = try LoadPlan(object, kernel: kernel)

        let kernelBTFBlob: [UInt8]
        do { kernelBTFBlob = try object.kernelBTF() } catch {
            throw BPFLoaderError(.object, "cannot prepare the object's BTF for the kernel: \(error)")
        }
        let btf: BTFHandle
        do { btf = try BTFHandle(loading: kernelBTFBlob) } catch {
            throw .kernel("upload the object's BTF (\(kernelBTFBlob.count) bytes)", error)
        }

        var relocator = ProgramRelocator()
        relocator.kernelIDs = plan.kernelIDs
        relocator.externIndex = plan.externIndex
        var maps: [String: Owned<BPFMap>] = [:]
        var memories: [String: Owned<BPFMapMemory>] = [:]
        for definition in object.maps {
            if let data = definition.globalData {
                let (map, memory) = try createGlobalDataMap(definition, data, btf: btf.descriptor)
                relocator.globalDataFDs[definition.name] = map.value.descriptor.rawValue
                maps[definition.name] = map
                if let memory { memories[definition.name] = memory }
            } else {
                let map = try createMap(definition, btf: btf.descriptor)
                relocator.mapFDs[definition.name] = map.value.descriptor.rawValue
                maps[definition.name] = map
            }
        }

        var programs: [String: Owned<BPFProgram>] = [:]
        for program in object.programs {
            let target = plan.programTargets[program.name]!  // LoadPlan checked every program has one
            let instructions = try relocator.apply(to: program.instructions, program.relocations, program: program.name)
            let funcInfo = program.functionInfoBytes
            let lineInfo = program.lineInfoBytes
            let spec = BPFProgramSpec(
                type: .structOps, instructions: instructions, license: object.license, name: program.name,
                expectedAttachType: .structOpsMember(target.memberIndex), attachBTFID: target.typeID,
                flags: program.isSleepable ? [.sleepable] : [], btf: btf.descriptor,
                funcInfo: funcInfo.isEmpty ? nil : BTFExtRecords(recordSize: 8, bytes: funcInfo),
                lineInfo: lineInfo.isEmpty ? nil : BTFExtRecords(recordSize: 16, bytes: lineInfo))
            do {
                programs[program.name] = Owned(try BPFProgram(spec))
            } catch {
                throw .kernel(
                    "load program \(program.name) (section \(program.sectionName)) as \(target.typeName)."
                        + "\(target.memberName)", error)
            }
        }
        return LoadedKernelObject(
            object: object, btf: Owned(btf), maps: maps, memories: memories, programs: programs,
            structOps: plan.structOps, globals: globals)
    }

    // MARK: Maps

    /// A global-data map: ARRAY, one 4-byte key, the section as value (typed by its DATASEC), filled from the
    /// staging image, frozen if read-only, mmapped if it has a non-static variable.
    private func createGlobalDataMap(_ definition: MapDefinition, _ data: GlobalData, btf: FileDescriptor)
        throws(BPFLoaderError) -> (Owned<BPFMap>, Owned<BPFMapMemory>?)
    {
        let flags = definition.flags
        let spec = BPFMapSpec(
            type: .array, keySize: 4, valueSize: UInt32(definition.valueSize), maxEntries: 1, flags: flags,
            name: Self.mapName(prefix: name, data.sectionName), btf: btf, btfKeyTypeID: 0,
            btfValueTypeID: definition.valueTypeID)
        let what = "global data \(data.sectionName)"
        let map: BPFMap
        do { map = try BPFMap(spec) } catch { throw .kernel("create the map for \(what)", error) }
        let image = images[data.sectionName] ?? data.initialBytes
        do { try map.updateFirstElement(image) } catch { throw .kernel("fill the map for \(what)", error) }
        if data.isReadOnly {
            do { try map.freeze() } catch { throw .kernel("freeze the map for \(what)", error) }
        }
        var memory: Owned<BPFMapMemory>? = nil
        if flags.contains(.mmapable) {
            do { memory = Owned(try BPFMapMemory(mapping: map, writable: !data.isReadOnly)) } catch {
                throw .kernel("map \(what) into memory", error)
            }
        }
        return (Owned(map), memory)
    }

    /// A map declared in `.maps`.
    private func createMap(_ definition: MapDefinition, btf: FileDescriptor) throws(BPFLoaderError) -> Owned<BPFMap> {
        guard definition.pinning == 0 else {
            throw BPFLoaderError(.object, "map \(definition.name): pinning is not supported")
        }
        let typed = definition.keyTypeID != 0 || definition.valueTypeID != 0
        let spec = BPFMapSpec(
            type: definition.type, keySize: UInt32(definition.keySize),
            valueSize: UInt32(definition.valueSize), maxEntries: UInt32(definition.maxEntries),
            flags: definition.flags, name: Self.mapName(prefix: "", definition.name),
            btf: typed ? btf : nil, btfKeyTypeID: definition.keyTypeID, btfValueTypeID: definition.valueTypeID,
            mapExtra: definition.mapExtra)
        do { return Owned(try BPFMap(spec)) } catch { throw .kernel("create map \(definition.name)", error) }
    }

    /// A kernel object name: up to 8 characters of `prefix`, then `name`, with characters the kernel refuses
    /// replaced by `_`, cut to 15 bytes.
    static func mapName(prefix: String, _ name: String) -> String {
        let full = String(prefix.prefix(8)) + name
        let cleaned = full.unicodeScalars.map { c -> Character in
            c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == ".")
                ? Character(c) : "_"
        }
        return String(String(cleaned).utf8.prefix(BPFObjectName.maxLength))!
    }
}

/// Owns one noncopyable kernel resource so it can live in a collection; released with the last reference.
final class Owned<Resource: ~Copyable> {
    let value: Resource
    init(_ value: consuming Resource) { self.value = value }
}
