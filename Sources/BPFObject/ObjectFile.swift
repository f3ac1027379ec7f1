/// A clang-built BPF object file (`clang -target bpf -O2 -g -c`), fully
/// described without any kernel calls: programs with their subprograms linked
/// and relocations resolved into loader-facing targets, maps, global data,
/// externs, struct_ops variables, BTF and line info.
public struct ObjectFile: Sendable {
    /// An ELF section, for listings.
    public struct SectionSummary: Equatable, Sendable {
        /// Position in its table (section header index, symbol index, member index).
        public var index: Int
        /// The name ("" if anonymous).
        public var name: String
        /// `sh_type` (`SHT_PROGBITS`, `SHT_REL`, ...).
        public var type: UInt32
        /// Size in bytes.
        public var size: Int
        /// Holds code (`SHF_EXECINSTR`).
        public var isExecutable: Bool
        /// Writable at run time (`SHF_WRITE`).
        public var isWritable: Bool
        /// Occupies memory at run time (`SHF_ALLOC`).
        public var isAllocated: Bool
    }

    /// The raw ELF file.
    public let elf: ELFFile
    /// Every section header, in file order.
    public let sections: [SectionSummary]
    /// The `license` section (e.g. "Dual BSD/GPL"); "" if absent.
    public let license: String
    /// The `version` section, if present.
    public let kernelVersion: UInt32?
    /// Programs in section order, then symbol order.
    public let programs: [ObjectProgram]
    /// Every function of `.text`, each linked as a plain program of its own with the functions it calls (run one
    /// with ``ExecutableProgram``).
    public let functions: [ObjectProgram]
    /// `.maps` maps first, then global-data maps in section order.
    public let maps: [MapDefinition]
    /// kfunc, ksym and kconfig externs, in symbol-table order.
    public let externs: [Extern]
    /// struct_ops variables from `.struct_ops` and `.struct_ops.link`.
    public let structOps: [StructOpsVariable]
    /// The object's BTF with the DATASEC fix-up applied (sizes and offsets
    /// from the ELF), or nil if the object has no `.BTF`.
    public let btf: BTF?
    /// func_info / line_info record sizes from `.BTF.ext` (pass to `BPF_PROG_LOAD`).
    public let functionInfoRecordSize: Int
    /// Record size of line_info in `.BTF.ext`.
    public let lineInfoRecordSize: Int
    /// Number of CO-RE relocations in `.BTF.ext` (this reader does not apply them).
    public let coreRelocationCount: Int

    /// Reads an object file from disk.
    public init(contentsOf path: String) throws {
        let bytes: [UInt8]
        do { bytes = try fileBytes(atPath: path) } catch {
            throw ObjectFileError.missing(what: path, reason: "cannot read file: \(error.message)")
        }
        try self.init(bytes: bytes)
    }

    /// Parses an object file's bytes.
    public init(bytes: [UInt8]) throws(ObjectFileError) {
        let elf = try ELFFile(bytes: bytes)
        self.elf = elf
        sections = elf.sections.map {
            SectionSummary(index: $0.index, name: $0.name, type: $0.type, size: $0.size,
                           isExecutable: $0.isExecutable, isWritable: $0.isWritable, isAllocated: $0.isAllocated)
        }
        var builder = ObjectBuilder(elf: elf)
        try builder.build()
        license = builder.license
        kernelVersion = builder.kernelVersion
        programs = builder.programs
        functions = builder.textFunctions
        maps = builder.maps
        externs = builder.externs
        structOps = builder.structOps
        btf = builder.btf
        functionInfoRecordSize = builder.btfExt.functionInfoRecordSize
        lineInfoRecordSize = builder.btfExt.lineInfoRecordSize
        coreRelocationCount = builder.btfExt.coreRelocationCount
    }

    /// The program whose entry function is `name`.
    public func program(named name: String) -> ObjectProgram? { programs.first { $0.name == name } }
    /// The `.text` function called `name`, linked as a plain program.
    public func function(named name: String) -> ObjectProgram? { functions.first { $0.name == name } }
    /// The map called `name` (a `.maps` variable or a global-data section name).
    public func map(named name: String) -> MapDefinition? { maps.first { $0.name == name } }
    /// The global data of section `name` (e.g. `.bss`).
    public func globalData(_ section: String) -> GlobalData? { map(named: section)?.globalData }
    /// The extern called `name`.
    public func extern(named name: String) -> Extern? { externs.first { $0.name == name } }
    /// The struct_ops variable called `name`.
    public func structOps(named name: String) -> StructOpsVariable? { structOps.first { $0.name == name } }

    /// The BTF blob a kernel loader uploads with `BPF_BTF_LOAD`: the fixed-up
    /// object BTF with the `.ksyms` rewrite applied. Type IDs of existing types
    /// are unchanged, so func_info and map type IDs stay valid.
    public func kernelBTF() throws(ObjectFileError) -> [UInt8] {
        guard let btf else { throw .missing(what: ".BTF", reason: "the object has no BTF") }
        do {
            var types = try btf.allTypes()
            try BTFRewrites.sanitizeKsyms(&types)
            return try BTFWriter.encode(types, preservingStrings: btf.stringSection)
        } catch {
            throw .btf(error)
        }
    }
}
