/// A little-endian ELF64 relocatable object for EM_BPF: sections, symbols and
/// SHT_REL relocations, every offset checked against the file.
public struct ELFFile: Sendable {
    /// One section header.
    public struct Section: Sendable, Equatable {
        /// Position in its table (section header index, symbol index, member index).
        public var index: Int
        /// The name ("" if anonymous).
        public var name: String
        /// `sh_type` (`SHT_PROGBITS`, `SHT_REL`, ...).
        public var type: UInt32
        /// Flags as stored.
        public var flags: UInt64
        /// Byte offset (for instructions: the 16-bit jump/memory offset).
        public var offset: Int
        /// Size in bytes.
        public var size: Int
        /// `sh_link`: the related section (string table of a symbol table, ...).
        public var link: UInt32
        /// `sh_info`: for SHT_REL, the section the relocations apply to.
        public var info: UInt32
        /// Required alignment.
        public var alignment: UInt64
        /// Size of one entry for table sections.
        public var entrySize: UInt64

        /// Holds code (`SHF_EXECINSTR`).
        public var isExecutable: Bool { flags & ELFFile.SHF_EXECINSTR != 0 }
        /// Occupies memory at run time (`SHF_ALLOC`).
        public var isAllocated: Bool { flags & ELFFile.SHF_ALLOC != 0 }
        /// Writable at run time (`SHF_WRITE`).
        public var isWritable: Bool { flags & ELFFile.SHF_WRITE != 0 }
        /// SHT_NOBITS (`.bss`): occupies no file bytes.
        public var hasNoBits: Bool { type == ELFFile.SHT_NOBITS }
    }

    /// One symbol table entry.
    public struct Symbol: Sendable, Equatable {
        /// Position in its table (section header index, symbol index, member index).
        public var index: Int
        /// The name ("" if anonymous).
        public var name: String
        /// The value (for symbols: `st_value`, a byte offset in its section).
        public var value: UInt64
        /// Size in bytes.
        public var size: UInt64
        /// STT_* (low 4 bits of st_info).
        public var type: UInt8
        /// STB_* (high 4 bits of st_info).
        public var binding: UInt8
        /// STV_* (low 2 bits of st_other).
        public var visibility: UInt8
        /// Index of the section the symbol is defined in (0: undefined).
        public var sectionIndex: Int

        /// Not defined in this object (an extern).
        public var isUndefined: Bool { sectionIndex == 0 }
        /// `STT_FUNC`.
        public var isFunction: Bool { type == ELFFile.STT_FUNC }
        /// `STT_SECTION`: stands for its section; addends live in the instruction.
        public var isSection: Bool { type == ELFFile.STT_SECTION }
        /// `STB_WEAK`.
        public var isWeak: Bool { binding == ELFFile.STB_WEAK }
        /// Global or weak binding.
        public var isGlobal: Bool { binding == ELFFile.STB_GLOBAL || binding == ELFFile.STB_WEAK }
        /// Local or hidden: loaders treat such globals as static.
        public var isStaticLike: Bool {
            binding == ELFFile.STB_LOCAL || visibility == ELFFile.STV_HIDDEN || visibility == ELFFile.STV_INTERNAL
        }
    }

    /// One SHT_REL entry.
    public struct Relocation: Sendable, Equatable {
        /// Byte offset inside the section the relocation applies to.
        public var offset: Int
        /// `R_BPF_*` relocation type.
        public var type: UInt32
        /// Index of the symbol the relocation refers to.
        public var symbolIndex: Int
    }

    static let SHT_PROGBITS: UInt32 = 1, SHT_SYMTAB: UInt32 = 2, SHT_STRTAB: UInt32 = 3
    static let SHT_NOBITS: UInt32 = 8, SHT_REL: UInt32 = 9, SHT_RELA: UInt32 = 4
    static let SHF_WRITE: UInt64 = 1, SHF_ALLOC: UInt64 = 2, SHF_EXECINSTR: UInt64 = 4
    static let STT_NOTYPE: UInt8 = 0, STT_OBJECT: UInt8 = 1, STT_FUNC: UInt8 = 2, STT_SECTION: UInt8 = 3
    static let STB_LOCAL: UInt8 = 0, STB_GLOBAL: UInt8 = 1, STB_WEAK: UInt8 = 2
    static let STV_INTERNAL: UInt8 = 1, STV_HIDDEN: UInt8 = 2
    static let EM_BPF: UInt16 = 247

    /// The whole file.
    public let bytes: [UInt8]
    /// Every section header, in file order.
    public let sections: [Section]
    /// The symbol table; index 0 is the null symbol.
    public let symbols: [Symbol]
    /// Relocations by the index of the section they apply to.
    public let relocations: [Int: [Relocation]]

    /// Parses and validates the headers, symbol table and relocation sections.
    public init(bytes: [UInt8]) throws(ObjectFileError) {
        self.bytes = bytes
        let r = ByteReader(bytes, context: "ELF header")
        try r.check(0, 64)
        guard bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else { throw .notELF }
        guard bytes[4] == 2 else { throw .wrongClass(bytes[4]) }
        guard bytes[5] == 1 else { throw .wrongEndianness(bytes[5]) }
        let type = try r.u16(16)
        let machine = try r.u16(18)
        guard machine == ELFFile.EM_BPF else { throw .wrongMachine(machine) }
        guard type == 1 else { throw .notRelocatable(type) }
        let shoff = try r.u64(40)
        let shentsize = Int(try r.u16(58))
        let shnum = Int(try r.u16(60))
        let shstrndx = Int(try r.u16(62))
        guard shentsize == 64 || shnum == 0 else {
            throw .badSection(index: 0, name: "", reason: "section header entry size \(shentsize) is not 64")
        }
        guard shoff <= UInt64(Int.max) else { throw .truncated(what: "section headers", offset: Int.max, length: 0, available: bytes.count) }
        let headers = ByteReader(bytes, context: "section headers")
        try headers.check(Int(shoff), shnum * 64)

        var raw: [(nameOff: UInt32, section: Section)] = []
        raw.reserveCapacity(shnum)
        for i in 0..<shnum {
            let base = Int(shoff) + i * 64
            let nameOff = try headers.u32(base)
            let stype = try headers.u32(base + 4)
            let flags = try headers.u64(base + 8)
            let offset = try headers.u64(base + 24)
            let size = try headers.u64(base + 32)
            let section = Section(
                index: i, name: "", type: stype, flags: flags,
                offset: Int(clamping: offset), size: Int(clamping: size),
                link: try headers.u32(base + 40), info: try headers.u32(base + 44),
                alignment: try headers.u64(base + 48), entrySize: try headers.u64(base + 56))
            // Every section with file bytes must lie in the file; SHT_NULL has none only when it is empty (a
            // non-empty one is read like any other, e.g. under a data section's name).
            if stype != ELFFile.SHT_NOBITS && (stype != 0 || size != 0) {
                guard offset <= UInt64(bytes.count), size <= UInt64(bytes.count) - offset else {
                    throw .badSection(index: i, name: "#\(i)", reason: "data at \(offset)+\(size) is outside the file (\(bytes.count) bytes)")
                }
            }
            if stype == ELFFile.SHT_NOBITS && size > 1 << 26 {
                throw .badSection(index: i, name: "#\(i)", reason: "SHT_NOBITS size \(size) is implausibly large")
            }
            raw.append((nameOff, section))
        }
        guard shnum == 0 || shstrndx < shnum else {
            throw .badSection(index: shstrndx, name: "", reason: "section name table index out of range")
        }
        var sections: [Section] = []
        sections.reserveCapacity(shnum)
        if shnum > 0 {
            let shstr = raw[shstrndx].section
            guard shstr.type == ELFFile.SHT_STRTAB else {
                throw .badSection(index: shstrndx, name: "", reason: "section name table is not SHT_STRTAB")
            }
            let table = ByteReader(Array(bytes[shstr.offset..<(shstr.offset + shstr.size)]), context: "section names")
            for (nameOff, var section) in raw {
                guard let name = table.cString(Int(nameOff)) else {
                    throw .badStringOffset(table: "section names", offset: Int(nameOff))
                }
                section.name = name
                sections.append(section)
            }
        }
        self.sections = sections

        // Symbol table (there is at most one in a relocatable object).
        var symbols: [Symbol] = []
        if let symtab = sections.first(where: { $0.type == ELFFile.SHT_SYMTAB }) {
            guard symtab.entrySize == 24, symtab.size % 24 == 0 else {
                throw .badSection(index: symtab.index, name: symtab.name, reason: "symbol entry size \(symtab.entrySize) is not 24")
            }
            guard Int(symtab.link) < sections.count, sections[Int(symtab.link)].type == ELFFile.SHT_STRTAB else {
                throw .badSection(index: symtab.index, name: symtab.name, reason: "link \(symtab.link) is not a string table")
            }
            let strtab = sections[Int(symtab.link)]
            let strings = ByteReader(Array(bytes[strtab.offset..<(strtab.offset + strtab.size)]), context: strtab.name)
            let count = symtab.size / 24
            symbols.reserveCapacity(count)
            for i in 0..<count {
                let base = symtab.offset + i * 24
                let nameOff = try r.u32(base)
                let info = try r.u8(base + 4)
                let other = try r.u8(base + 5)
                let shndx = Int(try r.u16(base + 6))
                guard var name = strings.cString(Int(nameOff)) else {
                    throw .badStringOffset(table: "\(strtab.name) (symbol \(i))", offset: Int(nameOff))
                }
                let stype = info & 0xf
                // Special indexes (SHN_ABS 0xfff1, SHN_COMMON 0xfff2) are kept as is; the rest must exist.
                if shndx != 0 && shndx < 0xff00 && shndx >= sections.count {
                    throw .badSymbol(index: i, name: name, reason: "section index \(shndx) out of range")
                }
                if stype == ELFFile.STT_SECTION && name.isEmpty && shndx < sections.count {
                    name = sections[shndx].name
                }
                symbols.append(Symbol(
                    index: i, name: name, value: try r.u64(base + 8), size: try r.u64(base + 16),
                    type: stype, binding: info >> 4, visibility: other & 3, sectionIndex: shndx))
            }
        }
        self.symbols = symbols

        var relocations: [Int: [Relocation]] = [:]
        // clang emits SHT_REL for BPF; RELA against code would carry addends this reader ignores.
        for section in sections where section.type == ELFFile.SHT_RELA {
            if Int(section.info) < sections.count, sections[Int(section.info)].isExecutable {
                throw .badSection(index: section.index, name: section.name, reason: "SHT_RELA relocations are not supported (expected SHT_REL)")
            }
        }
        for section in sections where section.type == ELFFile.SHT_REL {
            let target = Int(section.info)
            guard target < sections.count else {
                throw .badSection(index: section.index, name: section.name, reason: "relocates section \(target), which does not exist")
            }
            guard section.entrySize == 16, section.size % 16 == 0 else {
                throw .badSection(index: section.index, name: section.name, reason: "relocation entry size \(section.entrySize) is not 16")
            }
            var list: [Relocation] = []
            list.reserveCapacity(section.size / 16)
            for i in 0..<(section.size / 16) {
                let base = section.offset + i * 16
                let offset = try r.u64(base)
                let info = try r.u64(base + 8)
                let symbolIndex = Int(info >> 32)
                guard symbolIndex < symbols.count else {
                    throw .missingSymbol(section: section.name, offset: Int(clamping: offset), symbolIndex: symbolIndex)
                }
                let targetSection = sections[target]
                guard offset < UInt64(max(targetSection.size, 0)) || targetSection.type == ELFFile.SHT_NOBITS else {
                    throw .badSection(index: section.index, name: section.name,
                                      reason: "relocation offset \(offset) is outside '\(targetSection.name)' (\(targetSection.size) bytes)")
                }
                list.append(Relocation(offset: Int(clamping: offset), type: UInt32(truncatingIfNeeded: info), symbolIndex: symbolIndex))
            }
            relocations[target, default: []].append(contentsOf: list)
        }
        self.relocations = relocations
    }

    /// The file bytes of a section (zeros for SHT_NOBITS).
    public func data(of section: Section) -> [UInt8] {
        if section.hasNoBits { return [UInt8](repeating: 0, count: section.size) }
        return Array(bytes[section.offset..<(section.offset + section.size)])
    }

    /// The first section with this name.
    public func section(named name: String) -> Section? {
        sections.first { $0.name == name }
    }
}
