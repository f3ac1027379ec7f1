/// A parsed BTF blob (an object's `.BTF` section or the kernel's
/// `/sys/kernel/btf/vmlinux`).
///
/// Parsing is one validating pass over the bytes that records where each type
/// record starts, checks every name offset and type reference, and nothing
/// more; types are decoded on demand by `type(_:)`. That keeps a 5 MB vmlinux
/// parse to a single linear scan.
public struct BTF: Sendable {
    /// The whole blob, header included.
    public let bytes: [UInt8]
    private let stringsStart: Int
    private let stringsLength: Int
    /// Byte offset (into `bytes`) of each type record; index = type ID, [0] unused (void).
    private let recordOffsets: [UInt32]
    /// Kind of each type; index = type ID.
    private let kinds: [UInt8]

    /// Number of type IDs including the implicit `void` (ID 0).
    public var typeCount: Int { recordOffsets.count }

    /// Reads `/sys/kernel/btf/vmlinux` (or another raw BTF file).
    public init(contentsOf path: String) throws {
        let bytes: [UInt8]
        do { bytes = try fileBytes(atPath: path) } catch {
            throw ObjectFileError.missing(what: path, reason: "cannot read file: \(error.message)")
        }
        try self.init(bytes: bytes)
    }

    /// Parses and validates a BTF blob.
    public init(bytes: [UInt8]) throws(BTFError) {
        self.bytes = bytes
        func trunc(_ what: String, _ offset: Int, _ length: Int) -> BTFError {
            .truncated(what: what, offset: offset, length: length, available: bytes.count)
        }
        guard bytes.count >= 24 else { throw trunc("BTF header", 0, 24) }
        func u32(_ o: Int) -> UInt32 {
            UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        let magic = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
        guard magic == 0xeb9f else { throw .badMagic(magic) }
        guard bytes[2] == 1 else { throw .badVersion(bytes[2]) }
        let headerLength = Int(u32(4))
        guard headerLength >= 24, headerLength <= bytes.count else {
            throw .badHeader("header length \(headerLength) (file has \(bytes.count) bytes)")
        }
        let typeOff = Int(u32(8)), typeLen = Int(u32(12)), strOff = Int(u32(16)), strLen = Int(u32(20))
        let body = bytes.count - headerLength
        guard typeOff <= body, typeLen <= body - typeOff else { throw trunc("BTF type section", headerLength + typeOff, typeLen) }
        guard strOff <= body, strLen <= body - strOff else { throw trunc("BTF string section", headerLength + strOff, strLen) }
        guard typeOff % 4 == 0 else { throw .badHeader("type section offset \(typeOff) is not 4-byte aligned") }
        if strLen > 0 {
            guard bytes[headerLength + strOff] == 0 else { throw .badHeader("string section does not start with an empty string") }
            guard bytes[headerLength + strOff + strLen - 1] == 0 else { throw .badHeader("string section is not NUL-terminated") }
        }
        stringsStart = headerLength + strOff
        stringsLength = strLen

        var offsets: [UInt32] = [0]
        var kinds: [UInt8] = [0]
        offsets.reserveCapacity(typeLen / 16)
        kinds.reserveCapacity(typeLen / 16)
        // The largest type ID referenced so far, and by whom; checked once at the end.
        var maxRef: UInt32 = 0
        var maxRefBy: UInt32 = 0
        var badName: (UInt32, UInt32)? = nil

        let typesStart = headerLength + typeOff
        let typesEnd = typesStart + typeLen
        let failure: BTFError? = bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> BTFError? in
            @inline(__always) func rd(_ o: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: o, as: UInt32.self).littleEndian }
            var p = typesStart
            var id: UInt32 = 1
            while p < typesEnd {
                guard typesEnd - p >= 12 else { return trunc("BTF type \(id)", p, 12) }
                let nameOff = rd(p), info = rd(p + 4), sizeOrType = rd(p + 8)
                let vlen = Int(info & 0xffff)
                let kindRaw = UInt8((info >> 24) & 0x1f)
                guard let kind = BTFKind(rawValue: kindRaw), kind != .void else { return .unknownKind(typeID: id, kind: kindRaw) }
                if nameOff != 0 && Int(nameOff) >= strLen && badName == nil { badName = (id, nameOff) }
                @inline(__always) func ref(_ t: UInt32) { if t > maxRef { maxRef = t; maxRefBy = id } }
                @inline(__always) func name(_ n: UInt32) { if n != 0 && Int(n) >= strLen && badName == nil { badName = (id, n) } }
                var extra = 0
                switch kind {
                case .int: extra = 4
                case .pointer, .typedef, .volatile, .const, .restrict, .typeTag, .function: ref(sizeOrType)
                case .array: extra = 12
                case .struct, .union, .enum64: extra = 12 * vlen
                case .enum, .functionPrototype: extra = 8 * vlen
                case .variable: extra = 4; ref(sizeOrType)
                case .dataSection: extra = 12 * vlen
                case .declTag: extra = 4; ref(sizeOrType)
                case .forward, .float, .void: break
                }
                if kind == .functionPrototype { ref(sizeOrType) }
                let q = p + 12
                guard typesEnd - q >= extra else { return trunc("BTF type \(id) (\(kind))", q, extra) }
                switch kind {
                case .array: ref(rd(q)); ref(rd(q + 4))
                case .struct, .union:
                    for i in 0..<vlen { name(rd(q + 12 * i)); ref(rd(q + 12 * i + 4)) }
                case .enum:
                    for i in 0..<vlen { name(rd(q + 8 * i)) }
                case .enum64:
                    for i in 0..<vlen { name(rd(q + 12 * i)) }
                case .functionPrototype:
                    for i in 0..<vlen { name(rd(q + 8 * i)); ref(rd(q + 8 * i + 4)) }
                case .dataSection:
                    for i in 0..<vlen { ref(rd(q + 12 * i)) }
                default: break
                }
                offsets.append(UInt32(p))
                kinds.append(kindRaw)
                p = q + extra
                id &+= 1
            }
            return nil
        }
        if let failure { throw failure }
        if let (id, off) = badName { throw .badStringOffset(typeID: id, offset: off) }
        guard Int(maxRef) < offsets.count else { throw .badTypeID(typeID: maxRef, referencedBy: maxRefBy) }
        recordOffsets = offsets
        self.kinds = kinds
    }

    // MARK: Strings and kinds

    /// The raw string section (pass to ``BTFWriter/encode(_:preservingStrings:)``).
    public var stringSection: [UInt8] { Array(bytes[stringsStart..<(stringsStart + stringsLength)]) }

    /// The string at `offset` in the string section ("" for 0), or nil if out of range.
    public func string(at offset: UInt32) -> String? {
        if offset == 0 { return "" }
        guard Int(offset) < stringsLength else { return nil }
        let start = stringsStart + Int(offset)
        let end = bytes[start..<(stringsStart + stringsLength)].firstIndex(of: 0) ?? (stringsStart + stringsLength)
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The kind of type `id`, or nil if there is no such type.
    public func kind(of id: UInt32) -> BTFKind? {
        guard Int(id) < kinds.count else { return nil }
        return BTFKind(rawValue: kinds[Int(id)])
    }

    /// The name of type `id` ("" for anonymous types, void and unknown IDs).
    public func name(of id: UInt32) -> String {
        guard id != 0, Int(id) < recordOffsets.count else { return "" }
        return string(at: readU32(Int(recordOffsets[Int(id)]))) ?? ""
    }

    private func readU32(_ o: Int) -> UInt32 {
        UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
    }

    // MARK: Decoding

    /// Decodes type `id` (0 is void).
    public func type(_ id: UInt32) throws(BTFError) -> BTFType {
        guard id != 0 else { return .void }
        guard Int(id) < recordOffsets.count else { throw .badTypeID(typeID: id, referencedBy: 0) }
        // Every offset and string was validated by init, so reads below stay in range.
        let p = Int(recordOffsets[Int(id)])
        let info = readU32(p + 4), sizeOrType = readU32(p + 8)
        let vlen = Int(info & 0xffff)
        let kind = BTFKind(rawValue: UInt8((info >> 24) & 0x1f))!
        let kindFlag = info >> 31 != 0
        let name = string(at: readU32(p)) ?? ""
        let q = p + 12
        func str(_ o: Int) -> String { string(at: readU32(o)) ?? "" }
        let body: BTFType.Body
        switch kind {
        case .void: body = .void
        case .int:
            let v = readU32(q)
            body = .int(size: sizeOrType, encoding: UInt8((v >> 24) & 0xf), bitOffset: UInt8((v >> 16) & 0xff), bits: UInt8(v & 0xff))
        case .pointer, .typedef, .volatile, .const, .restrict, .typeTag:
            body = .reference(sizeOrType)
        case .array:
            body = .array(element: readU32(q), index: readU32(q + 4), count: readU32(q + 8))
        case .struct, .union:
            body = .members(size: sizeOrType, (0..<vlen).map { i in
                BTFMember(name: str(q + 12 * i), type: readU32(q + 12 * i + 4), rawOffset: readU32(q + 12 * i + 8))
            })
        case .enum:
            body = .enumerators(size: sizeOrType, (0..<vlen).map { i in
                let raw = readU32(q + 8 * i + 4)
                return BTFEnumerator(name: str(q + 8 * i), value: kindFlag ? Int64(Int32(bitPattern: raw)) : Int64(raw))
            })
        case .enum64:
            body = .enumerators(size: sizeOrType, (0..<vlen).map { i in
                let lo = UInt64(readU32(q + 12 * i + 4)), hi = UInt64(readU32(q + 12 * i + 8))
                return BTFEnumerator(name: str(q + 12 * i), value: Int64(bitPattern: hi << 32 | lo))
            })
        case .forward: body = .forward
        case .function: body = .function(prototype: sizeOrType, linkage: BTFLinkage(rawValue: UInt32(vlen)))
        case .functionPrototype:
            body = .prototype(returnType: sizeOrType, parameters: (0..<vlen).map { i in
                BTFParameter(name: str(q + 8 * i), type: readU32(q + 8 * i + 4))
            })
        case .variable: body = .variable(type: sizeOrType, linkage: BTFLinkage(rawValue: readU32(q)))
        case .dataSection:
            body = .dataSection(size: sizeOrType, (0..<vlen).map { i in
                BTFVariableSection(type: readU32(q + 12 * i), offset: readU32(q + 12 * i + 4), size: readU32(q + 12 * i + 8))
            })
        case .float: body = .float(size: sizeOrType)
        case .declTag: body = .declTag(type: sizeOrType, componentIndex: Int32(bitPattern: readU32(q)))
        }
        return BTFType(kind: kind, name: name, kindFlag: kindFlag, body: body)
    }

    /// All types, decoded; index = type ID, [0] is void. Feed to ``BTFWriter`` after rewriting.
    public func allTypes() throws(BTFError) -> [BTFType] {
        var result: [BTFType] = []
        result.reserveCapacity(typeCount)
        for id in 0..<UInt32(typeCount) { result.append(try type(id)) }
        return result
    }

    // MARK: Lookup

    /// IDs of all types named `name` (optionally only of one kind), in ID order.
    /// Compares the raw string bytes in place, so no strings are created.
    public func typeIDs(named name: String, kind: BTFKind? = nil) -> [UInt32] {
        let wanted = Array(name.utf8)
        guard !wanted.isEmpty else { return [] }
        var result: [UInt32] = []
        bytes.withUnsafeBytes { raw in
            let strings = stringsStart, limit = stringsStart + stringsLength
            for id in 1..<recordOffsets.count {
                if let kind, kinds[id] != kind.rawValue { continue }
                let nameOff = Int(raw.loadUnaligned(fromByteOffset: Int(recordOffsets[id]), as: UInt32.self).littleEndian)
                if nameOff == 0 { continue }
                let start = strings + nameOff
                guard start + wanted.count < limit else { continue }
                var equal = raw[start + wanted.count] == 0
                var i = 0
                while equal && i < wanted.count {
                    if raw[start + i] != wanted[i] { equal = false }
                    i += 1
                }
                if equal { result.append(UInt32(id)) }
            }
        }
        return result
    }

    /// The first type named `name` (optionally of `kind`).
    public func typeID(named name: String, kind: BTFKind? = nil) -> UInt32? {
        typeIDs(named: name, kind: kind).first
    }

    /// Follows typedefs, const/volatile/restrict and type tags to the underlying type.
    public func resolve(_ id: UInt32) throws(BTFError) -> UInt32 {
        var current = id
        for _ in 0...typeCount {
            guard let kind = kind(of: current) else { throw .badTypeID(typeID: current, referencedBy: id) }
            guard kind.isModifierOrTypedef else { return current }
            current = readU32(Int(recordOffsets[Int(current)]) + 8)
        }
        throw .cyclicType(typeID: id)
    }

    /// Size in bytes of type `id` (or of a VAR's type), resolving typedefs/modifiers
    /// and multiplying out arrays.
    public func size(of id: UInt32) throws(BTFError) -> Int {
        var current = id
        var multiplier = 1
        for _ in 0...typeCount {
            let resolved = try resolve(current)
            let t = try type(resolved)
            switch t.body {
            case let .int(size, _, _, _), let .members(size, _), let .enumerators(size, _), let .dataSection(size, _), let .float(size):
                let (r, overflow) = multiplier.multipliedReportingOverflow(by: Int(size))
                guard !overflow else { throw .malformedType(typeID: resolved, reason: "size overflows") }
                return r
            case .reference where t.kind == .pointer:
                let (r, overflow) = multiplier.multipliedReportingOverflow(by: 8)
                guard !overflow else { throw .malformedType(typeID: resolved, reason: "size overflows") }
                return r
            case let .array(element, _, count):
                let (r, overflow) = multiplier.multipliedReportingOverflow(by: Int(count))
                guard !overflow else { throw .malformedType(typeID: resolved, reason: "array size overflows") }
                multiplier = r
                current = element
            case let .variable(type, _):
                current = type
            case .void, .forward, .function, .prototype:
                return 0
            default:
                throw .malformedType(typeID: resolved, reason: "\(t.kind) has no size")
            }
        }
        throw .cyclicType(typeID: id)
    }

    /// A member of a STRUCT/UNION, located.
    public struct MemberInfo: Equatable, Sendable {
        /// Position in its table (section header index, symbol index, member index).
        public var index: Int
        /// The name ("" if anonymous).
        public var name: String
        /// The member's type ID.
        public var type: UInt32
        /// Offset in bits from the start of the struct.
        public var bitOffset: UInt32
        /// Bitfield width in bits, 0 for ordinary members.
        public var bitfieldSize: UInt8
        /// Byte offset (bitOffset / 8).
        public var offset: Int { Int(bitOffset / 8) }
    }

    /// The members of STRUCT/UNION `id` (resolving typedefs/modifiers first).
    public func members(of id: UInt32) throws(BTFError) -> [MemberInfo] {
        let resolved = try resolve(id)
        let t = try type(resolved)
        guard t.kind == .struct || t.kind == .union else {
            throw .malformedType(typeID: resolved, reason: "\(t.kind) '\(t.name)' has no members")
        }
        return t.memberLayout.enumerated().map { i, m in
            MemberInfo(index: i, name: m.name, type: m.type, bitOffset: m.bitOffset, bitfieldSize: m.bitfieldSize)
        }
    }

    /// The member called `name` of STRUCT/UNION `id`, or nil.
    public func member(named name: String, of id: UInt32) throws(BTFError) -> MemberInfo? {
        try members(of: id).first { $0.name == name }
    }
}
