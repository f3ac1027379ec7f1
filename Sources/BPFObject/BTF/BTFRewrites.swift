/// Rewrites a loader applies to an object's BTF before the kernel sees it
/// (`BPF_BTF_LOAD`). Each works on decoded types (index = type ID) in place and
/// never renumbers existing types, so IDs in programs and maps stay valid.
package enum BTFRewrites {
    /// Where a global variable lives, from the ELF symbol table.
    package struct SymbolPlacement: Equatable, Sendable {
        /// Byte offset (for instructions: the 16-bit jump/memory offset).
        package var offset: UInt32
        /// Local or hidden symbol: the VAR becomes static.
        package var isStatic: Bool
        package init(offset: UInt32, isStatic: Bool) {
            self.offset = offset
            self.isStatic = isStatic
        }
    }

    /// The DATASEC fix-up: clang may leave a DATASEC's size and its VAR offsets
    /// at 0. Sets the size from the ELF section, each VAR's offset from its
    /// symbol, turns local/hidden globals static, and keeps entries sorted by
    /// offset. `.ksyms` and `.kconfig` (extern sections) are left alone.
    package static func fixDataSections(
        _ types: inout [BTFType],
        sectionSize: (String) -> Int?,
        symbol: (_ section: String, _ variable: String) -> SymbolPlacement?
    ) throws(BTFError) {
        for id in types.indices {
            guard case .dataSection(_, var vars) = types[id].body else { continue }
            let section = types[id].name
            if section == ".ksyms" || section == ".kconfig" { continue }
            guard let size = sectionSize(section) else { continue }
            for i in vars.indices {
                let varID = Int(vars[i].type)
                guard varID < types.count else { throw .badTypeID(typeID: vars[i].type, referencedBy: UInt32(id)) }
                guard case .variable(let varType, let linkage) = types[varID].body else { continue }
                guard let placement = symbol(section, types[varID].name) else { continue }
                vars[i].offset = placement.offset
                if placement.isStatic && linkage == .global {
                    types[varID].body = .variable(type: varType, linkage: .static)
                }
            }
            vars.sort { $0.offset < $1.offset }
            types[id].body = .dataSection(size: UInt32(clamping: size), vars)
        }
    }

    /// The `.ksyms` fix-up the kernel needs for kfunc externs: it rejects FUNCs
    /// inside a DATASEC and FUNCs with extern linkage. Each FUNC entry of
    /// `.ksyms` is pointed at one dummy `int` VAR (appended, with an `int` if
    /// the BTF has none), the FUNC's linkage becomes global, and unnamed
    /// parameters of its FUNC_PROTO get names (`arg0`, `arg1`, ...), which the
    /// kernel requires for global functions. Entries are then laid out back to
    /// back (no overlaps). Returns true if anything changed.
    @discardableResult
    package static func sanitizeKsyms(_ types: inout [BTFType]) throws(BTFError) -> Bool {
        guard let sectionID = types.firstIndex(where: { $0.kind == .dataSection && $0.name == ".ksyms" }),
            case .dataSection(let size, var vars) = types[sectionID].body
        else { return false }
        var dummyVar: UInt32? = nil
        var changed = false
        for i in vars.indices {
            let funcID = Int(vars[i].type)
            guard funcID < types.count else { throw .badTypeID(typeID: vars[i].type, referencedBy: UInt32(sectionID)) }
            guard case .function(let proto, _) = types[funcID].body else { continue }
            if dummyVar == nil {
                let intID: UInt32
                if let existing = types.firstIndex(where: {
                    if case .int(4, let enc, 0, 32) = $0.body { return enc & 1 == 1 } else { return false }
                }) {
                    intID = UInt32(existing)
                } else {
                    types.append(BTFType(kind: .int, name: "int", body: .int(size: 4, encoding: 1, bitOffset: 0, bits: 32)))
                    intID = UInt32(types.count - 1)
                }
                types.append(BTFType(kind: .variable, name: "__ksym_dummy", body: .variable(type: intID, linkage: .global)))
                dummyVar = UInt32(types.count - 1)
            }
            vars[i].type = dummyVar!
            vars[i].size = 4
            types[funcID].body = .function(prototype: proto, linkage: .global)
            let protoID = Int(proto)
            guard protoID < types.count, case .prototype(let ret, var params) = types[protoID].body else {
                throw .malformedType(typeID: UInt32(funcID), reason: "FUNC does not point at a FUNC_PROTO")
            }
            for p in params.indices where params[p].name.isEmpty && params[p].type != 0 {
                params[p].name = "arg\(p)"
            }
            types[protoID].body = .prototype(returnType: ret, parameters: params)
            changed = true
        }
        guard changed else { return false }
        // Lay the entries out back to back so none overlap (the kernel checks).
        var offset: UInt32 = 0
        for i in vars.indices {
            vars[i].offset = offset
            offset &+= vars[i].size
        }
        _ = size
        types[sectionID].body = .dataSection(size: offset, vars)
        return true
    }
}
