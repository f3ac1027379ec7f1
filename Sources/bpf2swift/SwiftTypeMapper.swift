import BPFObject

/// A Swift type with the size and layout of a C type of the program.
indirect enum SwiftType {
    /// A standard-library scalar: `UInt32`, `Int8`, `Double`, ...
    case scalar(String, size: Int)
    /// `InlineArray<count, element>`: a C array.
    case array(count: Int, element: SwiftType)
    /// A struct generated for a C struct (see ``GeneratedStruct``).
    case generated(String, size: Int, alignment: Int)

    /// How the type is written.
    var spelling: String {
        switch self {
        case .scalar(let name, _): name
        case .array(let count, let element): "InlineArray<\(count), \(element.spelling)>"
        case .generated(let name, _, _): name
        }
    }

    /// `MemoryLayout.size`, equal to the C size: scalars and arrays have no tail padding, and generated structs
    /// spell theirs out.
    var size: Int {
        switch self {
        case .scalar(_, let size): size
        case .array(let count, let element): count * element.size
        case .generated(_, let size, _): size
        }
    }

    /// `MemoryLayout.alignment`.
    var alignment: Int {
        switch self {
        case .scalar(_, let size): size
        case .array(_, let element): element.alignment
        case .generated(_, _, let alignment): alignment
        }
    }

    /// An expression for the value with every byte zero.
    var zero: String {
        switch self {
        case .scalar: "0"
        case .array(_, let element): ".init(repeating: \(element.zero))"
        case .generated: ".init()"
        }
    }

    /// `n` raw bytes: the fallback for C types Swift cannot mirror.
    static func bytes(_ n: Int) -> SwiftType { .array(count: n, element: .scalar("UInt8", size: 1)) }
}

/// A Swift struct mirroring a C struct member for member, with its padding spelled out so that its size is the
/// C size.
struct GeneratedStruct {
    struct Member {
        var name: String
        var type: SwiftType
        var offset: Int
        /// The C declaration, for the doc comment.
        var cDeclaration: String
        /// Padding, not a C member.
        var isPadding: Bool
    }
    var name: String
    var cName: String
    var size: Int
    var members: [Member]
}

/// The Swift type of a C type: what the generated `GlobalName`s and `MapName`s use.
///
/// | C | Swift |
/// |---|---|
/// | integers, enums, `_Bool`, `char` | `Int8`...`Int128` / `UInt8`...`UInt128` by size and BTF signedness |
/// | `float`, `double` | `Float`, `Double` |
/// | pointers | `UInt64` (an address in the program's address space) |
/// | arrays | `InlineArray<N, Element>` |
/// | structs | a generated struct, when Swift lays it out as C does (members at their C offsets) |
/// | anything else (unions, bitfields, packed or misaligned members, flexible arrays) | `InlineArray<size, UInt8>`, the raw bytes |
///
/// `_Bool` maps to `UInt8`, not `Bool`: a program may store any byte there, and a `Bool` other than 0 or 1 is
/// undefined in Swift.
struct SwiftTypeMapper {
    let btf: BTF?
    /// Generated structs, each after the structs it uses.
    private(set) var structs: [GeneratedStruct] = []
    private var structNames: [UInt32: String] = [:]
    private var usedTypeNames: Set<String>

    /// `reserved`: type names already taken in the scope the structs are generated in.
    init(btf: BTF?, reserved: Set<String>) {
        self.btf = btf
        usedTypeNames = reserved
    }

    /// The Swift type for BTF type `id` of `size` bytes, and why it is raw bytes if it is. `context` names the
    /// use, for anonymous structs (`CountsValue`).
    mutating func type(of id: UInt32, size: Int, context: String) -> (type: SwiftType, fallback: String?) {
        guard let btf, id != 0 else { return (.bytes(size), "the object has no type information for it") }
        do {
            let type = try map(id, btf: btf, context: context)
            guard type.size == size else {
                return (.bytes(size), "its type is \(type.size) bytes, but it takes \(size)")
            }
            return (type, nil)
        } catch {
            return (.bytes(size), error.reason)
        }
    }

    private struct Unmappable: Error { var reason: String }

    private mutating func map(_ id: UInt32, btf: BTF, context: String) throws(Unmappable) -> SwiftType {
        let resolved: UInt32
        let type: BTFType
        do {
            resolved = try btf.resolve(id)
            type = try btf.type(resolved)
        } catch {
            throw Unmappable(reason: "its type is malformed (\(error))")
        }
        switch type.body {
        case .int(let size, let encoding, let bitOffset, let bits):
            guard bitOffset == 0, Int(bits) == Int(size) * 8 else { throw Unmappable(reason: "it is a bitfield integer") }
            return try integer(size: Int(size), signed: encoding & 1 != 0)
        case .enumerators(let size, _):
            return try integer(size: Int(size), signed: type.kindFlag)
        case .float(let size):
            switch size {
            case 4: return .scalar("Float", size: 4)
            case 8: return .scalar("Double", size: 8)
            default: throw Unmappable(reason: "Swift has no \(size)-byte floating-point type")
            }
        case .reference where type.kind == .pointer:
            return .scalar("UInt64", size: 8)
        case .array(let element, _, let count):
            guard count > 0 else { throw Unmappable(reason: "it is a zero-length array") }
            let elementType = try map(element, btf: btf, context: context + "Element")
            let elementSize = (try? btf.size(of: element)) ?? -1
            guard elementType.size == elementSize, elementSize % max(elementType.alignment, 1) == 0 else {
                throw Unmappable(reason: "its elements are laid out differently in Swift")
            }
            return .array(count: Int(count), element: elementType)
        case .members(let size, _) where type.kind == .struct:
            if let name = structNames[resolved] {
                return .generated(name, size: Int(size), alignment: structs.first { $0.name == name }.map(alignment) ?? 1)
            }
            // All or nothing: a struct that cannot be mirrored leaves no half-generated structs behind.
            let saved = (structs, structNames, usedTypeNames)
            do {
                let generated = try generateStruct(resolved, type, size: Int(size), btf: btf, context: context)
                return .generated(generated.name, size: generated.size, alignment: alignment(of: generated))
            } catch {
                (structs, structNames, usedTypeNames) = saved
                throw error
            }
        case .members:
            throw Unmappable(reason: "it is a union")
        default:
            throw Unmappable(reason: "Swift has no type for a C \(type.kind)")
        }
    }

    private func integer(size: Int, signed: Bool) throws(Unmappable) -> SwiftType {
        guard [1, 2, 4, 8, 16].contains(size) else { throw Unmappable(reason: "it is a \(size)-byte integer") }
        return .scalar((signed ? "Int" : "UInt") + String(size * 8), size: size)
    }

    private func alignment(of s: GeneratedStruct) -> Int {
        s.members.map(\.type.alignment).max() ?? 1
    }

    private mutating func generateStruct(_ id: UInt32, _ type: BTFType, size: Int, btf: BTF,
                                         context: String) throws(Unmappable) -> GeneratedStruct {
        let name = uniqueTypeName(type.name.isEmpty ? context : SwiftNames.typeName(type.name))
        structNames[id] = name
        var members: [GeneratedStruct.Member] = []
        var end = 0
        var memberNames = Set(type.memberLayout.map(\.name))
        for m in type.memberLayout {
            guard !m.name.isEmpty else { throw Unmappable(reason: "struct \(type.name) has an anonymous member") }
            guard m.bitfieldSize == 0, m.bitOffset % 8 == 0 else {
                throw Unmappable(reason: "struct \(type.name) has bitfields")
            }
            let memberSize: Int
            do { memberSize = try btf.size(of: m.type) } catch { throw Unmappable(reason: "member \(m.name): \(error)") }
            let memberType = try map(m.type, btf: btf, context: name + SwiftNames.typeName(m.name))
            let offset = Int(m.bitOffset / 8)
            guard memberType.size == memberSize, offset >= end, offset % memberType.alignment == 0 else {
                throw Unmappable(reason: "member \(m.name) of struct \(type.name) is not where Swift would put it")
            }
            if offset > end { members.append(padding(at: end, count: offset - end, avoiding: &memberNames)) }
            members.append(.init(name: m.name, type: memberType, offset: offset,
                                 cDeclaration: "\(btf.typeDescription(m.type)) \(m.name)", isPadding: false))
            end = offset + memberSize
        }
        guard end <= size else { throw Unmappable(reason: "struct \(type.name)'s members overrun its size") }
        if size > end { members.append(padding(at: end, count: size - end, avoiding: &memberNames)) }
        let generated = GeneratedStruct(name: name, cName: type.name, size: size, members: members)
        guard size % alignment(of: generated) == 0 else {
            throw Unmappable(reason: "struct \(type.name) is smaller than Swift's alignment of its members")
        }
        structs.append(generated)
        return generated
    }

    private func padding(at offset: Int, count: Int, avoiding names: inout Set<String>) -> GeneratedStruct.Member {
        var name = "_padding\(offset)"
        while names.contains(name) { name += "_" }
        names.insert(name)
        return .init(name: name, type: .bytes(count), offset: offset, cDeclaration: "", isPadding: true)
    }

    private mutating func uniqueTypeName(_ base: String) -> String {
        var name = base
        var n = 2
        while usedTypeNames.contains(name) {
            name = base + String(n)
            n += 1
        }
        usedTypeNames.insert(name)
        return name
    }
}
