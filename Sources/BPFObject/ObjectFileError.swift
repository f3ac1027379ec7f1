/// Why an object file (or a BTF blob) could not be read. Each case says what
/// was wrong and where, so a malformed file never traps the process.
public enum ObjectFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A read of `length` bytes at `offset` ran past the end of `what` (`available` bytes).
    case truncated(what: String, offset: Int, length: Int, available: Int)
    /// The file does not start with the ELF magic.
    case notELF
    /// ELF class is not ELFCLASS64 (2).
    case wrongClass(UInt8)
    /// Data encoding is not little-endian (ELFDATA2LSB, 1).
    case wrongEndianness(UInt8)
    /// `e_machine` is not EM_BPF (247).
    case wrongMachine(UInt16)
    /// `e_type` is not ET_REL (1): only relocatable objects are clang's output.
    case notRelocatable(UInt16)
    /// A section header is inconsistent (offset/size outside the file, bad link, ...).
    case badSection(index: Int, name: String, reason: String)
    /// A name offset points outside its string table.
    case badStringOffset(table: String, offset: Int)
    /// A symbol table entry is inconsistent.
    case badSymbol(index: Int, name: String, reason: String)
    /// A relocation names a symbol index the symbol table does not have.
    case missingSymbol(section: String, offset: Int, symbolIndex: Int)
    /// A relocation that cannot be applied: wrong instruction, unknown target, ...
    case badRelocation(section: String, instruction: Int, symbol: String, reason: String)
    /// A relocation type this reader does not support.
    case unsupportedRelocation(section: String, offset: Int, type: UInt32, symbol: String)
    /// The BTF blob is malformed.
    case btf(BTFError)
    /// The `.BTF.ext` section is malformed.
    case badBTFExt(reason: String)
    /// A program or its code is inconsistent.
    case badProgram(section: String, name: String, reason: String)
    /// A map definition in `.maps` or a global data section is inconsistent.
    case badMap(name: String, reason: String)
    /// A struct_ops variable is inconsistent.
    case badStructOps(name: String, reason: String)
    /// A required piece is missing (for example BTF for a `.maps` section).
    case missing(what: String, reason: String)

    /// A readable description.
    public var description: String {
        switch self {
        case let .truncated(what, offset, length, available):
            return "\(what): truncated: \(length) bytes at offset \(offset) but only \(available) bytes available"
        case .notELF: return "not an ELF file (bad magic)"
        case let .wrongClass(c): return "ELF class \(c) is not ELFCLASS64"
        case let .wrongEndianness(e): return "ELF data encoding \(e) is not little-endian"
        case let .wrongMachine(m): return "ELF machine \(m) is not EM_BPF (247)"
        case let .notRelocatable(t): return "ELF type \(t) is not ET_REL (a relocatable object)"
        case let .badSection(index, name, reason): return "section \(index) '\(name)': \(reason)"
        case let .badStringOffset(table, offset): return "\(table): string offset \(offset) is out of range"
        case let .badSymbol(index, name, reason): return "symbol \(index) '\(name)': \(reason)"
        case let .missingSymbol(section, offset, index):
            return "\(section): relocation at offset \(offset) refers to missing symbol \(index)"
        case let .badRelocation(section, insn, symbol, reason):
            return "\(section): instruction \(insn): relocation against '\(symbol)': \(reason)"
        case let .unsupportedRelocation(section, offset, type, symbol):
            return "\(section): unsupported relocation type \(type) at offset \(offset) against '\(symbol)'"
        case let .btf(error): return "BTF: \(error)"
        case let .badBTFExt(reason): return ".BTF.ext: \(reason)"
        case let .badProgram(section, name, reason): return "program '\(name)' in '\(section)': \(reason)"
        case let .badMap(name, reason): return "map '\(name)': \(reason)"
        case let .badStructOps(name, reason): return "struct_ops '\(name)': \(reason)"
        case let .missing(what, reason): return "\(what): \(reason)"
        }
    }
}

/// Why a BTF blob could not be read or a type could not be resolved.
public enum BTFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The blob or one of its sections ends early.
    case truncated(what: String, offset: Int, length: Int, available: Int)
    /// The blob does not start with 0xEB9F (or is big-endian).
    case badMagic(UInt16)
    /// Version other than 1.
    case badVersion(UInt8)
    /// Header length or section offsets are inconsistent.
    case badHeader(String)
    /// A type record has an unknown kind.
    case unknownKind(typeID: UInt32, kind: UInt8)
    /// A type record is inconsistent (for example a FUNC whose type is not a FUNC_PROTO).
    case malformedType(typeID: UInt32, reason: String)
    /// A name offset is outside the string section.
    case badStringOffset(typeID: UInt32, offset: UInt32)
    /// A type refers to a type ID that does not exist.
    case badTypeID(typeID: UInt32, referencedBy: UInt32)
    /// Resolving a type went around a loop of typedefs, modifiers or arrays.
    case cyclicType(typeID: UInt32)
    /// A lookup by name found nothing.
    case notFound(String)

    /// A readable description.
    public var description: String {
        switch self {
        case let .truncated(what, offset, length, available):
            return "\(what): truncated: \(length) bytes at offset \(offset) but only \(available) available"
        case let .badMagic(m): return "bad magic 0x\(String(m, radix: 16)) (expected 0xeb9f, little-endian)"
        case let .badVersion(v): return "unsupported version \(v)"
        case let .badHeader(reason): return "bad header: \(reason)"
        case let .unknownKind(id, kind): return "type \(id): unknown kind \(kind)"
        case let .malformedType(id, reason): return "type \(id): \(reason)"
        case let .badStringOffset(id, offset): return "type \(id): name offset \(offset) is outside the string section"
        case let .badTypeID(id, by): return "type \(by) refers to type \(id), which does not exist"
        case let .cyclicType(id): return "type \(id): cycle while resolving through typedefs/modifiers/arrays"
        case let .notFound(name): return "no type named '\(name)'"
        }
    }
}
