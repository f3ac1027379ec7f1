/// BTF type kinds (`BTF_KIND_*` in include/uapi/linux/btf.h).
public enum BTFKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case void = 0, int, pointer, array, `struct`, union, `enum`, forward, typedef, volatile, const, restrict
    case function, functionPrototype, variable, dataSection, float, declTag, typeTag, enum64

    /// The name bpftool prints (`STRUCT`, `FUNC_PROTO`, ...).
    public var description: String {
        switch self {
        case .void: return "VOID"
        case .int: return "INT"
        case .pointer: return "PTR"
        case .array: return "ARRAY"
        case .struct: return "STRUCT"
        case .union: return "UNION"
        case .enum: return "ENUM"
        case .forward: return "FWD"
        case .typedef: return "TYPEDEF"
        case .volatile: return "VOLATILE"
        case .const: return "CONST"
        case .restrict: return "RESTRICT"
        case .function: return "FUNC"
        case .functionPrototype: return "FUNC_PROTO"
        case .variable: return "VAR"
        case .dataSection: return "DATASEC"
        case .float: return "FLOAT"
        case .declTag: return "DECL_TAG"
        case .typeTag: return "TYPE_TAG"
        case .enum64: return "ENUM64"
        }
    }

    /// Kinds that only qualify or rename another type.
    public var isModifierOrTypedef: Bool {
        switch self {
        case .typedef, .volatile, .const, .restrict, .typeTag: return true
        default: return false
        }
    }
}

/// Linkage of a FUNC or VAR (`BTF_FUNC_*` / `BTF_VAR_*`).
public struct BTFLinkage: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw kernel value.
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Static (file-local).
    public static let `static` = BTFLinkage(rawValue: 0)
    /// Global (for a VAR: global allocated).
    public static let global = BTFLinkage(rawValue: 1)
    /// Extern (a kfunc or ksym the loader resolves).
    public static let extern = BTFLinkage(rawValue: 2)
    /// A readable description.
    public var description: String {
        switch rawValue {
        case 0: return "static"
        case 1: return "global"
        case 2: return "extern"
        default: return "linkage(\(rawValue))"
        }
    }
}

/// A STRUCT or UNION member as stored: `offset` is in bits, and when the
/// type's kind flag is set, its top 8 bits are the bitfield size.
public struct BTFMember: Equatable, Sendable {
    /// The name ("" if anonymous).
    public var name: String
    /// The member's type ID.
    public var type: UInt32
    /// Bit offset as stored (with the bitfield size in the top 8 bits when the kind flag is set).
    public var rawOffset: UInt32
    public init(name: String, type: UInt32, rawOffset: UInt32) {
        self.name = name
        self.type = type
        self.rawOffset = rawOffset
    }
}

/// An ENUM or ENUM64 value.
public struct BTFEnumerator: Equatable, Sendable {
    /// The name ("" if anonymous).
    public var name: String
    /// The value (for symbols: `st_value`, a byte offset in its section).
    public var value: Int64
    public init(name: String, value: Int64) {
        self.name = name
        self.value = value
    }
}

/// A FUNC_PROTO parameter (unnamed parameters have an empty name; a trailing
/// parameter of type 0 means `...`).
public struct BTFParameter: Equatable, Sendable {
    /// The name ("" if anonymous).
    public var name: String
    /// The parameter's type ID (0 for a trailing `...`).
    public var type: UInt32
    public init(name: String, type: UInt32) {
        self.name = name
        self.type = type
    }
}

/// One entry of a DATASEC: a VAR (or FUNC in `.ksyms`) at a byte offset.
public struct BTFVariableSection: Equatable, Sendable {
    /// The VAR (or FUNC) type ID.
    public var type: UInt32
    /// Byte offset (for instructions: the 16-bit jump/memory offset).
    public var offset: UInt32
    /// Size in bytes.
    public var size: UInt32
    public init(type: UInt32, offset: UInt32, size: UInt32) {
        self.type = type
        self.offset = offset
        self.size = size
    }
}

/// One BTF type, decoded. IDs inside refer to other types of the same BTF.
public struct BTFType: Equatable, Sendable {
    /// What follows the common header, by kind.
    public enum Body: Equatable, Sendable {
        case void
        /// INT: `encoding` bit 0 signed, 1 char, 2 bool.
        case int(size: UInt32, encoding: UInt8, bitOffset: UInt8, bits: UInt8)
        /// PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: the type they refer to.
        case reference(UInt32)
        case array(element: UInt32, index: UInt32, count: UInt32)
        /// STRUCT, UNION.
        case members(size: UInt32, [BTFMember])
        /// ENUM, ENUM64 (`signed` is the kind flag).
        case enumerators(size: UInt32, [BTFEnumerator])
        /// FWD (the kind flag says union).
        case forward
        /// FUNC: its FUNC_PROTO and linkage.
        case function(prototype: UInt32, linkage: BTFLinkage)
        case prototype(returnType: UInt32, parameters: [BTFParameter])
        case variable(type: UInt32, linkage: BTFLinkage)
        case dataSection(size: UInt32, [BTFVariableSection])
        case float(size: UInt32)
        /// DECL_TAG: tags `type`, or its member/parameter `componentIndex` (-1: the type itself).
        case declTag(type: UInt32, componentIndex: Int32)
    }

    /// What kind of entity this is.
    public var kind: BTFKind
    /// The name ("" if anonymous).
    public var name: String
    /// The kind flag bit (signed enum, union forward, bitfield encoding, attribute tag).
    public var kindFlag: Bool
    /// The kind-specific part.
    public var body: Body

    public init(kind: BTFKind, name: String = "", kindFlag: Bool = false, body: Body) {
        self.kind = kind
        self.name = name
        self.kindFlag = kindFlag
        self.body = body
    }

    /// The implicit type 0.
    public static let void = BTFType(kind: .void, body: .void)

    /// The type this one refers to directly (pointee, element, FUNC's prototype, VAR's type, ...), if any.
    public var referencedType: UInt32? {
        switch body {
        case let .reference(t): return t
        case let .array(element, _, _): return element
        case let .function(p, _): return p
        case let .variable(t, _): return t
        case let .declTag(t, _): return t
        default: return nil
        }
    }

    /// Members of a STRUCT/UNION with decoded offsets.
    public var memberLayout: [(name: String, type: UInt32, bitOffset: UInt32, bitfieldSize: UInt8)] {
        guard case let .members(_, members) = body else { return [] }
        return members.map { m in
            kindFlag ? (m.name, m.type, m.rawOffset & 0xff_ffff, UInt8(m.rawOffset >> 24)) : (m.name, m.type, m.rawOffset, 0)
        }
    }
}
