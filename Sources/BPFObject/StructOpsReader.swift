/// struct_ops variables: their struct type, data bytes and which program
/// fills each function-pointer member (from `.rel.struct_ops*`).
extension ObjectBuilder {
    mutating func collectStructOps() throws(ObjectFileError) {
        for section in elf.sections where ObjectBuilder.isStructOpsSection(section.name) {
            let btf = try requireBTF(section.name)
            let data = elf.data(of: section)
            let relocations = elf.relocations[section.index] ?? []
            var variables: [StructOpsVariable] = []
            for (name, entry, varType) in try dataSectionEntries(section.name) {
                guard case .variable(let type, _) = varType.body else { continue }
                func bad(_ reason: String) -> ObjectFileError { .badStructOps(name: name, reason: reason) }
                let structID: UInt32, size: Int, layout: [BTF.MemberInfo]
                do {
                    structID = try btf.resolve(type)
                    guard btf.kind(of: structID) == .struct else { throw bad("type is not a struct") }
                    size = try btf.size(of: structID)
                    layout = try btf.members(of: structID)
                } catch let error as BTFError {
                    throw bad("\(error)")
                } catch let error as ObjectFileError {
                    throw error
                } catch {
                    throw bad("\(error)")
                }
                let offset = Int(entry.offset)
                guard offset <= data.count, size <= data.count - offset else {
                    throw bad("\(size) bytes at offset \(offset) do not fit '\(section.name)' (\(data.count) bytes)")
                }
                var members: [StructOpsMember] = []
                for m in layout {
                    var isFunctionPointer = false
                    var memberSize = 0
                    do {
                        let resolved = try btf.resolve(m.type)
                        if case .reference(let pointee) = try btf.type(resolved).body, btf.kind(of: resolved) == .pointer {
                            isFunctionPointer = btf.kind(of: try btf.resolve(pointee)) == .functionPrototype
                        }
                        memberSize = try btf.size(of: m.type)
                    } catch {
                        throw bad("member '\(m.name)': \(error)")
                    }
                    members.append(StructOpsMember(name: m.name, index: m.index, offset: m.offset, size: memberSize,
                                                   program: nil, isFunctionPointer: isFunctionPointer))
                }
                for r in relocations where r.offset >= offset && r.offset < offset + size {
                    let sym = elf.symbols[r.symbolIndex]
                    guard r.type == ObjectBuilder.R_BPF_64_ABS64 else {
                        throw .unsupportedRelocation(section: section.name, offset: r.offset, type: r.type, symbol: sym.name)
                    }
                    guard let m = members.firstIndex(where: { $0.offset == r.offset - offset }) else {
                        throw bad("relocation at byte \(r.offset - offset) is not at the start of a member")
                    }
                    guard members[m].isFunctionPointer else { throw bad("member '\(members[m].name)' is not a function pointer") }
                    guard sym.isFunction, let program = programs.first(where: {
                        $0.name == sym.name && sym.sectionIndex < elf.sections.count && $0.sectionName == elf.sections[sym.sectionIndex].name
                    }) else {
                        throw bad("member '\(members[m].name)' points at '\(sym.name)', which is not a program")
                    }
                    guard program.isStructOps else {
                        throw bad("member '\(members[m].name)': program '\(program.name)' is in '\(program.sectionName)', not a struct_ops section")
                    }
                    members[m].program = program.name
                }
                variables.append(StructOpsVariable(
                    name: name, sectionName: section.name, isLink: section.name.hasSuffix(".link"),
                    typeName: btf.name(of: structID), typeID: structID, offset: offset,
                    data: Array(data[offset..<(offset + size)]), members: members))
            }
            structOps += variables
        }
    }
}
