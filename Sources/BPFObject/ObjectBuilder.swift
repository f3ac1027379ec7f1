/// Assembles an ``ObjectFile`` from an ``ELFFile``: one pass per concern, in the
/// order libbpf uses (BTF, externs, maps, programs, struct_ops).
struct ObjectBuilder {
    let elf: ELFFile
    var license = ""
    var kernelVersion: UInt32? = nil
    var btf: BTF? = nil
    var btfExt = BTFExt()
    var programs: [ObjectProgram] = []
    var textFunctions: [ObjectProgram] = []
    var maps: [MapDefinition] = []
    var externs: [Extern] = []
    var structOps: [StructOpsVariable] = []

    static let R_BPF_NONE: UInt32 = 0, R_BPF_64_64: UInt32 = 1, R_BPF_64_ABS64: UInt32 = 2
    static let R_BPF_64_ABS32: UInt32 = 3, R_BPF_64_NODYLD32: UInt32 = 4, R_BPF_64_32: UInt32 = 10

    init(elf: ELFFile) { self.elf = elf }

    /// Global-data sections become array maps.
    static func isGlobalDataSection(_ name: String) -> Bool {
        name == ".data" || name == ".rodata" || name == ".bss"
            || name.hasPrefix(".data.") || name.hasPrefix(".rodata.") || name.hasPrefix(".bss.")
    }

    /// `.struct_ops` / `.struct_ops.link`, optionally with libbpf's `?` prefix (do not auto-create).
    static func isStructOpsSection(_ name: String) -> Bool {
        let bare = name.hasPrefix("?") ? String(name.dropFirst()) : name
        return bare == ".struct_ops" || bare == ".struct_ops.link"
    }

    mutating func build() throws(ObjectFileError) {
        if let s = elf.section(named: "license") {
            let data = elf.data(of: s)
            license = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
        }
        if let s = elf.section(named: "version") {
            kernelVersion = try ByteReader(elf.data(of: s), context: "version").u32(0)
        }
        try readBTF()
        try collectExterns()
        try collectMaps()
        try collectGlobalData()
        // Maps are found by name (relocations, loaders, `ObjectFile.map(named:)`): two with one name are ambiguous.
        var names = Set<String>()
        for map in maps where !names.insert(map.name).inserted {
            throw .badMap(name: map.name, reason: "another map or global-data section has this name")
        }
        try collectPrograms()
        try collectStructOps()
    }

    // MARK: BTF

    mutating func readBTF() throws(ObjectFileError) {
        guard let section = elf.section(named: ".BTF") else { return }
        let raw: BTF
        do { raw = try BTF(bytes: elf.data(of: section)) } catch { throw .btf(error) }
        // DATASEC fix-up from the ELF, then re-encode so `btf` is what loaders use.
        let elf = self.elf
        var symbolsBySection: [String: [String: BTFRewrites.SymbolPlacement]] = [:]
        for sym in elf.symbols where sym.type == ELFFile.STT_OBJECT && sym.sectionIndex > 0 && sym.sectionIndex < elf.sections.count {
            symbolsBySection[elf.sections[sym.sectionIndex].name, default: [:]][sym.name] =
                .init(offset: UInt32(truncatingIfNeeded: sym.value), isStatic: sym.isStaticLike)
        }
        do {
            var types = try raw.allTypes()
            try BTFRewrites.fixDataSections(
                &types,
                sectionSize: { name in elf.section(named: name)?.size },
                symbol: { section, variable in symbolsBySection[section]?[variable] })
            btf = try BTF(bytes: BTFWriter.encode(types, preservingStrings: raw.stringSection))
        } catch {
            throw .btf(error)
        }
        if let ext = elf.section(named: ".BTF.ext"), let btf {
            btfExt = try BTFExt(bytes: elf.data(of: ext), btf: btf)
        }
    }

    func requireBTF(_ what: String) throws(ObjectFileError) -> BTF {
        guard let btf else { throw .missing(what: what, reason: "needs .BTF, which the object does not have") }
        return btf
    }

    func wrap<T>(_ body: () throws(BTFError) -> T) throws(ObjectFileError) -> T {
        do { return try body() } catch { throw .btf(error) }
    }

    /// The VAR entries of DATASEC `section` with their names.
    func dataSectionEntries(_ section: String) throws(ObjectFileError) -> [(name: String, entry: BTFVariableSection, type: BTFType)] {
        guard let btf, let id = btf.typeID(named: section, kind: .dataSection) else { return [] }
        let sec = try wrap { () throws(BTFError) in try btf.type(id) }
        guard case .dataSection(_, let vars) = sec.body else { return [] }
        var result: [(String, BTFVariableSection, BTFType)] = []
        for v in vars {
            let t = try wrap { () throws(BTFError) in try btf.type(v.type) }
            result.append((t.name, v, t))
        }
        return result
    }

    // MARK: Externs

    mutating func collectExterns() throws(ObjectFileError) {
        var btfEntries: [String: (BTFVariableSection, BTFType, String)] = [:]
        for section in [".ksyms", ".kconfig"] {
            for (name, entry, type) in try dataSectionEntries(section) { btfEntries[name] = (entry, type, section) }
        }
        for sym in elf.symbols where sym.isUndefined && sym.isGlobal && !sym.name.isEmpty {
            guard let (entry, type, section) = btfEntries[sym.name] else {
                throw .badSymbol(index: sym.index, name: sym.name,
                                 reason: "undefined symbol is not declared in the BTF .ksyms or .kconfig section")
            }
            switch type.body {
            case .function(let proto, let linkage):
                guard linkage == .extern else {
                    throw .badSymbol(index: sym.index, name: sym.name, reason: "extern function's BTF FUNC has \(linkage) linkage")
                }
                externs.append(Extern(name: sym.name, kind: .function, isWeak: sym.isWeak, typeID: entry.type, prototypeID: proto))
            case .variable:
                externs.append(Extern(name: sym.name, kind: section == ".kconfig" ? .kconfig : .variable,
                                      isWeak: sym.isWeak, typeID: entry.type, prototypeID: nil))
            default:
                throw .badSymbol(index: sym.index, name: sym.name, reason: "BTF entry in \(section) is a \(type.kind)")
            }
        }
    }

    // MARK: Maps

    mutating func collectMaps() throws(ObjectFileError) {
        guard let section = elf.section(named: ".maps") else { return }
        let btf = try requireBTF(".maps")
        let symbols = elf.symbols.filter { $0.sectionIndex == section.index && $0.type == ELFFile.STT_OBJECT }
        for (name, _, varType) in try dataSectionEntries(".maps") {
            guard case .variable(let structID, _) = varType.body else { continue }
            guard symbols.contains(where: { $0.name == name }) else {
                throw .badMap(name: name, reason: "no ELF symbol in .maps")
            }
            var map = MapDefinition(name: name, type: MapType(rawValue: 0), keySize: 0, valueSize: 0, maxEntries: 0,
                                    flags: [], keyTypeID: 0, valueTypeID: 0, pinning: 0, numaNode: 0, mapExtra: 0, globalData: nil)
            let members: [BTF.MemberInfo]
            do { members = try btf.members(of: structID) } catch { throw .badMap(name: name, reason: "\(error)") }
            for m in members {
                do {
                    // `__uint(name, V)` is `int (*name)[V]`; `__type(name, T)` is `T *name`.
                    let pointer = try btf.resolve(m.type)
                    guard btf.kind(of: pointer) == .pointer, case .reference(let pointee) = try btf.type(pointer).body else {
                        throw ObjectFileError.badMap(name: name, reason: "member '\(m.name)' is not a pointer")
                    }
                    func number() throws -> UInt32 {
                        let array = try btf.resolve(pointee)
                        guard case .array(_, _, let count) = try btf.type(array).body else {
                            throw ObjectFileError.badMap(name: name, reason: "member '\(m.name)' is not __uint(...)")
                        }
                        return count
                    }
                    switch m.name {
                    case "type": map.type = MapType(rawValue: try number())
                    case "max_entries": map.maxEntries = Int(try number())
                    case "map_flags": map.flags = MapFlags(rawValue: try number())
                    case "key_size": map.keySize = Int(try number())
                    case "value_size": map.valueSize = Int(try number())
                    case "pinning": map.pinning = try number()
                    case "numa_node": map.numaNode = try number()
                    case "map_extra": map.mapExtra = UInt64(try number())
                    case "key":
                        map.keyTypeID = pointee
                        map.keySize = try btf.size(of: pointee)
                    case "value":
                        map.valueTypeID = pointee
                        map.valueSize = try btf.size(of: pointee)
                    default:
                        throw ObjectFileError.badMap(name: name, reason: "unsupported attribute '\(m.name)'")
                    }
                } catch let error as ObjectFileError {
                    throw error
                } catch let error as BTFError {
                    throw .badMap(name: name, reason: "member '\(m.name)': \(error)")
                } catch {
                    throw .badMap(name: name, reason: "\(error)")
                }
            }
            guard map.type.rawValue != 0 else { throw .badMap(name: name, reason: "no map type") }
            maps.append(map)
        }
    }

    mutating func collectGlobalData() throws(ObjectFileError) {
        for section in elf.sections where ObjectBuilder.isGlobalDataSection(section.name) && section.size > 0 && !section.isExecutable {
            let readOnly = section.name.hasPrefix(".rodata")
            var variables: [GlobalVariable] = []
            for (name, entry, varType) in try dataSectionEntries(section.name) {
                guard case .variable(let type, let linkage) = varType.body else { continue }
                let symbol = elf.symbols.first { $0.sectionIndex == section.index && $0.name == name }
                let size = entry.size != 0 ? Int(entry.size) : Int(clamping: symbol?.size ?? 0)
                guard Int(entry.offset) <= section.size, size <= section.size - Int(entry.offset) else {
                    throw .badMap(name: section.name, reason: "variable '\(name)' at \(entry.offset)+\(size) is outside the section (\(section.size) bytes)")
                }
                variables.append(GlobalVariable(name: name, offset: Int(entry.offset), size: size, typeID: type,
                                                isStatic: linkage == .static || (symbol?.isStaticLike ?? true)))
            }
            var flags: MapFlags = []
            if readOnly { flags.insert(.readOnlyProgram) }
            if variables.contains(where: { !$0.isStatic }) { flags.insert(.mmapable) }
            let datasecID = btf?.typeID(named: section.name, kind: .dataSection) ?? 0
            maps.append(MapDefinition(
                name: section.name, type: .array, keySize: 4, valueSize: section.size, maxEntries: 1, flags: flags,
                keyTypeID: 0, valueTypeID: datasecID, pinning: 0, numaNode: 0, mapExtra: 0,
                globalData: GlobalData(sectionName: section.name, initialBytes: elf.data(of: section),
                                       variables: variables, isReadOnly: readOnly)))
        }
    }
}
