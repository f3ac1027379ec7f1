import BPF

/// Programs: split executable sections into functions, resolve their
/// relocations, and link each entry function with the subprograms it calls.
extension ObjectBuilder {
    /// A reference from one instruction of a function, before linking.
    enum Reference {
        case target(RelocationTarget)
        /// bpf-to-bpf call to section-relative instruction `instruction` of section `section`.
        case call(section: Int, instruction: Int)
        /// Function address (`lddw` of a function).
        case address(section: Int, instruction: Int)
    }

    /// One function of an executable section.
    struct Function {
        var sectionIndex: Int
        var name: String
        /// First instruction, relative to the section.
        var start: Int
        var instructions: [Instruction]
        var isEntry: Bool
        /// (instruction index relative to the function, reference)
        var references: [(Int, Reference)] = []
        var functionInfo: [FunctionInfo] = []
        var lineInfo: [LineInfo] = []
        var end: Int { start + instructions.count }
    }

    static func isSleepable(section: String) -> Bool {
        let first = section.split(separator: "/", maxSplits: 1).first.map(String.init) ?? section
        return first.hasSuffix(".s")
    }

    static func isStructOps(section: String) -> Bool {
        section.hasPrefix("struct_ops/") || section.hasPrefix("struct_ops.s/")
    }

    mutating func collectPrograms() throws(ObjectFileError) {
        var functionsBySection: [Int: [Function]] = [:]
        for section in elf.sections where section.isExecutable && section.type == ELFFile.SHT_PROGBITS && section.size > 0 {
            functionsBySection[section.index] = try functions(of: section)
        }
        let lookup = functionsBySection
        for section in elf.sections {
            guard let functions = lookup[section.index] else { continue }
            for entry in functions where entry.isEntry {
                programs.append(try link(entry, section: section, functions: lookup))
            }
            // Every .text function is also a plain program of its own (a subprogram when another calls it).
            if section.name == ".text" {
                for function in functions where !function.name.isEmpty {
                    textFunctions.append(try link(function, section: section, functions: lookup))
                }
            }
        }
    }

    /// Splits a section into functions and attaches relocations and BTF.ext records.
    func functions(of section: ELFFile.Section) throws(ObjectFileError) -> [Function] {
        let name = section.name
        guard section.size % 8 == 0 else {
            throw .badSection(index: section.index, name: name, reason: "code size \(section.size) is not a multiple of 8")
        }
        let data = elf.data(of: section)
        let count = section.size / 8
        let code = data.withUnsafeBytes { raw in (0..<count).map { Instruction(encoded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) } }
        let isText = name == ".text"

        var functions: [Function] = []
        let symbols = elf.symbols.filter { $0.sectionIndex == section.index && $0.isFunction }.sorted { $0.value < $1.value }
        for sym in symbols {
            guard sym.value % 8 == 0, sym.size % 8 == 0, sym.size > 0,
                sym.value <= UInt64(section.size), sym.size <= UInt64(section.size) - sym.value
            else {
                throw .badSymbol(index: sym.index, name: sym.name,
                                 reason: "function at \(sym.value)+\(sym.size) does not fit '\(name)' (\(section.size) bytes)")
            }
            let start = Int(sym.value / 8), n = Int(sym.size / 8)
            if let last = functions.last, last.end > start {
                throw .badSymbol(index: sym.index, name: sym.name, reason: "overlaps function '\(last.name)'")
            }
            functions.append(Function(sectionIndex: section.index, name: sym.name, start: start,
                                      instructions: Array(code[start..<(start + n)]),
                                      isEntry: !isText && sym.isGlobal))
        }
        func owner(_ insn: Int) -> Int? {
            functions.firstIndex { $0.start <= insn && insn < $0.end }
        }

        // Relocations.
        var relocated = Set<Int>()
        for r in elf.relocations[section.index] ?? [] {
            let sym = elf.symbols[r.symbolIndex]
            guard r.offset % 8 == 0 else {
                throw .badRelocation(section: name, instruction: r.offset / 8, symbol: sym.name, reason: "offset \(r.offset) is not instruction-aligned")
            }
            let index = r.offset / 8
            guard let f = owner(index) else {
                throw .badRelocation(section: name, instruction: index, symbol: sym.name, reason: "outside any function")
            }
            let reference = try classify(r, symbol: sym, instruction: index, code: code, section: name)
            relocated.insert(index)
            functions[f].references.append((index - functions[f].start, reference))
        }
        // bpf-to-bpf calls inside the section need no relocation.
        var i = 0
        while i < count {
            let insn = code[i]
            if !relocated.contains(i), let f = owner(i) {
                if insn.isLocalCall {
                    functions[f].references.append((i - functions[f].start, .call(section: section.index, instruction: i + Int(insn.imm) + 1)))
                } else if insn.isLoadImmediate64 && insn.src == PseudoLoadKind.function.rawValue {
                    functions[f].references.append((i - functions[f].start, .address(section: section.index, instruction: i + Int(insn.imm) + 1)))
                }
            }
            i += insn.isLoadImmediate64 ? 2 : 1
        }

        // .BTF.ext records, made function-relative.
        for record in btfExt.functionInfo[name] ?? [] {
            guard record.byteOffset % 8 == 0, let f = functions.firstIndex(where: { $0.start == Int(record.byteOffset / 8) }) else {
                throw .badBTFExt(reason: "func_info at byte \(record.byteOffset) of '\(name)' is not the start of a function")
            }
            functions[f].functionInfo.append(FunctionInfo(instruction: 0, typeID: record.typeID))
        }
        for record in btfExt.lineInfo[name] ?? [] {
            guard record.byteOffset % 8 == 0, let f = owner(Int(record.byteOffset / 8)) else {
                throw .badBTFExt(reason: "line_info at byte \(record.byteOffset) of '\(name)' is outside any function")
            }
            functions[f].lineInfo.append(LineInfo(
                instruction: Int(record.byteOffset / 8) - functions[f].start,
                fileNameOffset: record.fileNameOffset, lineOffset: record.lineOffset, lineColumn: record.lineColumn,
                file: btf?.string(at: record.fileNameOffset) ?? "", source: btf?.string(at: record.lineOffset) ?? ""))
        }
        return functions
    }

    /// Turns one ELF relocation of a code section into a reference.
    func classify(_ r: ELFFile.Relocation, symbol sym: ELFFile.Symbol, instruction index: Int,
                  code: [Instruction], section: String) throws(ObjectFileError) -> Reference {
        let insn = code[index]
        func bad(_ reason: String) -> ObjectFileError {
            .badRelocation(section: section, instruction: index, symbol: sym.name, reason: reason)
        }
        switch r.type {
        case ObjectBuilder.R_BPF_64_64:
            guard insn.isLoadImmediate64, index + 1 < code.count else { throw bad("R_BPF_64_64 on an instruction that is not lddw") }
            if sym.isUndefined {
                guard let ext = externs.first(where: { $0.name == sym.name }) else { throw bad("unknown extern") }
                return .target(.ksym(ext.name))
            }
            guard sym.sectionIndex < elf.sections.count else { throw bad("symbol in special section \(sym.sectionIndex)") }
            guard sym.value <= UInt64(UInt32.max) else { throw bad("symbol value \(sym.value) is out of range") }
            let target = elf.sections[sym.sectionIndex]
            if target.name == ".maps" {
                let offset = sym.isSection ? UInt64(bitPattern: Int64(insn.imm)) : sym.value
                guard let mapSymbol = elf.symbols.first(where: {
                    $0.sectionIndex == target.index && $0.type == ELFFile.STT_OBJECT && $0.value == offset
                }), maps.contains(where: { $0.name == mapSymbol.name }) else {
                    throw bad("no BTF-defined map at offset \(offset) of .maps")
                }
                return .target(.map(mapSymbol.name))
            }
            if ObjectBuilder.isGlobalDataSection(target.name) {
                let offset = Int(sym.value) + Int(insn.imm)
                guard offset >= 0, offset <= target.size else {
                    throw bad("offset \(offset) is outside '\(target.name)' (\(target.size) bytes)")
                }
                guard maps.contains(where: { $0.name == target.name }) else { throw bad("'\(target.name)' has no global-data map") }
                return .target(.globalData(section: target.name, offset: offset))
            }
            if target.isExecutable {
                let byte = Int(sym.value) + Int(insn.imm)
                guard byte >= 0, byte % 8 == 0 else { throw bad("function address \(byte) is not instruction-aligned") }
                return .address(section: target.index, instruction: byte / 8)
            }
            throw bad("lddw of a symbol in '\(target.name)' is not supported")
        case ObjectBuilder.R_BPF_64_32:
            guard insn.isCall else { throw bad("R_BPF_64_32 on an instruction that is not a call") }
            if sym.isUndefined {
                guard let ext = externs.first(where: { $0.name == sym.name }), ext.kind == .function else {
                    throw bad("call of an extern that is not a kfunc")
                }
                return .target(.kfunc(ext.name))
            }
            guard insn.src == ISA.CallKind.local, sym.sectionIndex < elf.sections.count,
                elf.sections[sym.sectionIndex].isExecutable
            else { throw bad("call relocation against a symbol that is not code") }
            return .call(section: sym.sectionIndex, instruction: Int(sym.value / 8) + Int(insn.imm) + 1)
        default:
            throw .unsupportedRelocation(section: section, offset: r.offset, type: r.type, symbol: sym.name)
        }
    }

    /// Links `entry` with every function it reaches, appending each once.
    func link(_ entry: Function, section: ELFFile.Section, functions: [Int: [Function]]) throws(ObjectFileError) -> ObjectProgram {
        var instructions: [Instruction] = []
        var relocations: [ProgramRelocation] = []
        var placed: [String: Int] = [:]
        var members: [ProgramFunction] = []
        var functionInfo: [FunctionInfo] = []
        var lineInfo: [LineInfo] = []
        var queue: [(Function, Int)] = []

        func place(_ f: Function) -> Int {
            let key = "\(f.sectionIndex):\(f.start)"
            if let base = placed[key] { return base }
            let base = instructions.count
            placed[key] = base
            instructions += f.instructions
            members.append(ProgramFunction(name: f.name, instruction: base))
            functionInfo += f.functionInfo.map { FunctionInfo(instruction: $0.instruction + base, typeID: $0.typeID) }
            lineInfo += f.lineInfo.map { var l = $0; l.instruction += base; return l }
            queue.append((f, base))
            return base
        }
        func bad(_ reason: String) -> ObjectFileError {
            .badProgram(section: section.name, name: entry.name, reason: reason)
        }

        _ = place(entry)
        var next = 0
        while next < queue.count {
            let (f, base) = queue[next]
            next += 1
            for (local, reference) in f.references {
                let i = base + local
                switch reference {
                case let .target(target):
                    relocations.append(ProgramRelocation(instruction: i, target: target))
                case let .call(sectionIndex, target), let .address(sectionIndex, target):
                    guard let callee = functions[sectionIndex]?.first(where: { $0.start == target }) else {
                        let sectionName = sectionIndex < elf.sections.count ? elf.sections[sectionIndex].name : "#\(sectionIndex)"
                        throw bad("instruction \(i) refers to instruction \(target) of '\(sectionName)', which does not start a function")
                    }
                    let calleeBase = place(callee)
                    let relative = calleeBase - i - 1
                    guard let imm = Int32(exactly: relative) else { throw bad("call offset \(relative) does not fit") }
                    instructions[i].imm = imm
                    if case .address = reference {
                        instructions[i].src = PseudoLoadKind.function.rawValue
                        relocations.append(ProgramRelocation(instruction: i, target: .functionAddress(calleeBase)))
                    } else {
                        relocations.append(ProgramRelocation(instruction: i, target: .subprogram(calleeBase)))
                    }
                }
            }
        }
        relocations.sort { $0.instruction < $1.instruction }
        lineInfo.sort { $0.instruction < $1.instruction }
        return ObjectProgram(
            name: entry.name, sectionName: section.name,
            isSleepable: ObjectBuilder.isSleepable(section: section.name),
            isStructOps: ObjectBuilder.isStructOps(section: section.name),
            instructions: instructions, relocations: relocations, functions: members,
            functionInfo: functionInfo, lineInfo: lineInfo)
    }
}
