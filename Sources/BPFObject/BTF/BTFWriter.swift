/// Encodes decoded BTF types back into a raw BTF blob (header, types, strings),
/// for example after `BTFRewrites` fixed them up for the kernel.
public enum BTFWriter {
    /// Encodes `types` (index = type ID; `types[0]` must be void) into a blob.
    /// Strings are deduplicated. Throws if a type's body does not fit its kind.
    ///
    /// With `preservingStrings` (an existing string section, e.g. ``BTF/stringSection``)
    /// that table is kept byte for byte and new strings are appended, so string
    /// offsets held elsewhere (`.BTF.ext` line_info file and line offsets) stay valid.
    public static func encode(_ types: [BTFType], preservingStrings existing: [UInt8]? = nil) throws(BTFError) -> [UInt8] {
        var strings: [UInt8] = [0]
        var stringOffsets: [String: UInt32] = ["": 0]
        if let existing, existing.first == 0, existing.last == 0 {
            strings = existing
            var start = 0
            for (i, byte) in existing.enumerated() where byte == 0 {
                let s = String(decoding: existing[start..<i], as: UTF8.self)
                if stringOffsets[s] == nil { stringOffsets[s] = UInt32(start) }
                start = i + 1
            }
        }
        func str(_ s: String) -> UInt32 {
            if let o = stringOffsets[s] { return o }
            let o = UInt32(strings.count)
            strings.append(contentsOf: s.utf8)
            strings.append(0)
            stringOffsets[s] = o
            return o
        }

        var w = ByteWriter()
        for (index, t) in types.enumerated() where index > 0 {
            let id = UInt32(index)
            func header(vlen: Int, sizeOrType: UInt32) throws(BTFError) {
                guard vlen <= 0xffff else { throw .malformedType(typeID: id, reason: "\(vlen) entries exceed 65535") }
                w.u32(str(t.name))
                w.u32(UInt32(t.kind.rawValue) << 24 | (t.kindFlag ? 1 << 31 : 0) | UInt32(vlen))
                w.u32(sizeOrType)
            }
            func mismatch() -> BTFError { .malformedType(typeID: id, reason: "body does not match kind \(t.kind)") }
            switch (t.kind, t.body) {
            case (.void, _):
                throw .malformedType(typeID: id, reason: "VOID is only type 0")
            case let (.int, .int(size, encoding, bitOffset, bits)):
                try header(vlen: 0, sizeOrType: size)
                w.u32(UInt32(encoding & 0xf) << 24 | UInt32(bitOffset) << 16 | UInt32(bits))
            case let (.pointer, .reference(r)), let (.typedef, .reference(r)), let (.volatile, .reference(r)),
                let (.const, .reference(r)), let (.restrict, .reference(r)), let (.typeTag, .reference(r)):
                try header(vlen: 0, sizeOrType: r)
            case let (.array, .array(element, index, count)):
                try header(vlen: 0, sizeOrType: 0)
                w.u32(element); w.u32(index); w.u32(count)
            case let (.struct, .members(size, members)), let (.union, .members(size, members)):
                try header(vlen: members.count, sizeOrType: size)
                for m in members { w.u32(str(m.name)); w.u32(m.type); w.u32(m.rawOffset) }
            case let (.enum, .enumerators(size, values)):
                try header(vlen: values.count, sizeOrType: size)
                for v in values { w.u32(str(v.name)); w.u32(UInt32(truncatingIfNeeded: v.value)) }
            case let (.enum64, .enumerators(size, values)):
                try header(vlen: values.count, sizeOrType: size)
                for v in values {
                    let bits = UInt64(bitPattern: v.value)
                    w.u32(str(v.name)); w.u32(UInt32(truncatingIfNeeded: bits)); w.u32(UInt32(bits >> 32))
                }
            case (.forward, .forward):
                try header(vlen: 0, sizeOrType: 0)
            case let (.function, .function(prototype, linkage)):
                try header(vlen: Int(linkage.rawValue), sizeOrType: prototype)
            case let (.functionPrototype, .prototype(returnType, parameters)):
                try header(vlen: parameters.count, sizeOrType: returnType)
                for p in parameters { w.u32(str(p.name)); w.u32(p.type) }
            case let (.variable, .variable(type, linkage)):
                try header(vlen: 0, sizeOrType: type)
                w.u32(linkage.rawValue)
            case let (.dataSection, .dataSection(size, vars)):
                try header(vlen: vars.count, sizeOrType: size)
                for v in vars { w.u32(v.type); w.u32(v.offset); w.u32(v.size) }
            case let (.float, .float(size)):
                try header(vlen: 0, sizeOrType: size)
            case let (.declTag, .declTag(type, component)):
                try header(vlen: 0, sizeOrType: type)
                w.i32(component)
            default:
                throw mismatch()
            }
        }

        var out = ByteWriter()
        out.u16(0xeb9f)
        out.u8(1)  // version
        out.u8(0)  // flags
        out.u32(24)  // header length
        out.u32(0)  // type offset
        out.u32(UInt32(w.bytes.count))
        out.u32(UInt32(w.bytes.count))  // string offset
        out.u32(UInt32(strings.count))
        return out.bytes + w.bytes + strings
    }
}
