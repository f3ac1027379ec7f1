import ArgumentParser
import BPFObject
import Foundation
import UringBPFExamples

/// `uring-bpf objdump FILE.o`: everything a clang-built BPF object contains —
/// sections, programs, maps and globals, struct_ops, externs — and each
/// program's linked instructions with source lines interleaved.
struct ObjdumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "objdump",
        abstract: "Describe a BPF object file: sections, programs, maps, globals, struct_ops, externs, disassembly.",
        discussion: """
            Examples:
              uring-bpf objdump prog.bpf.o
              uring-bpf objdump --example nops_qd        (a built example; --list-examples lists them)
              uring-bpf objdump --btf /sys/kernel/btf/vmlinux --find io_uring_bpf_ops
            """
    )

    @Argument(help: "The object file (.bpf.o).")
    var file: String?

    @Option(help: "Describe a built example by name instead of a file.")
    var example: String?

    @Flag(help: "List the built examples and where their objects are.")
    var listExamples = false

    @Flag(help: "Skip the disassembly.")
    var noDisassembly = false

    @Option(help: "Parse a raw BTF file (e.g. /sys/kernel/btf/vmlinux) and report its size and parse time.")
    var btf: String?

    @Option(help: "With --btf: look up types by name and print their members.")
    var find: [String] = []

    func run() throws {
        if listExamples {
            for e in UringBPFExamples.all { print("\(e.name)\t\(e.objectPath)") }
            return
        }
        if let btf { return try dumpBTF(path: btf) }
        let bytes: [UInt8]
        let title: String
        if let example {
            guard let e = UringBPFExamples.named(example) else {
                throw ValidationError("no example '\(example)'; have: \(UringBPFExamples.all.map(\.name).joined(separator: ", "))")
            }
            bytes = e.bytes
            title = e.objectPath
        } else if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw ObjdumpError("cannot read \(file)") }
            bytes = [UInt8](data)
            title = file
        } else {
            throw ValidationError("give an object file, --example NAME or --btf FILE")
        }
        let object: BPFObject
        do { object = try BPFObject(bytes: bytes) } catch {
            throw ObjdumpError("\(title): \(error)")
        }
        print(ObjectListing(object: object, title: title, disassemble: !noDisassembly).render(), terminator: "")
    }

    func dumpBTF(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw ObjdumpError("cannot read \(path)") }
        let bytes = [UInt8](data)
        let clock = ContinuousClock()
        var parsed: BTF? = nil
        let elapsed = try clock.measure {
            do { parsed = try BTF(bytes: bytes) } catch { throw ObjdumpError("\(path): \(error)") }
        }
        let btf = parsed!
        print("\(path): \(bytes.count) bytes, \(btf.typeCount - 1) types, parsed in \(elapsed)")
        for name in find {
            let ids = btf.typeIDs(named: name)
            if ids.isEmpty { print("\(name): not found") }
            for id in ids {
                let kind = btf.kind(of: id).map(String.init(describing:)) ?? "?"
                let size = (try? btf.size(of: id)).map { ", \($0) bytes" } ?? ""
                print("[\(id)] \(kind) \(name)\(size)")
                if let members = try? btf.members(of: id) {
                    for m in members {
                        print("    \(m.name) @\(m.offset): \(btf.typeDescription(m.type))")
                    }
                } else if btf.kind(of: id) == .function || btf.kind(of: id) == .functionPrototype {
                    print("    \(btf.typeDescription(id))")
                }
            }
        }
    }
}

/// A failure reading the input: printed as is, without the usage text.
struct ObjdumpError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Renders an object as text (kept apart from argument parsing so it reads top to bottom).
struct ObjectListing {
    let object: BPFObject
    let title: String
    let disassemble: Bool

    func render() -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        line("\(title): elf64-bpf relocatable, license \"\(object.license)\"")

        line()
        line("Sections:")
        line("  Idx  Size      Flags  Name")
        for s in object.sections where s.index > 0 {
            let flags = (s.isAllocated ? "A" : "-") + (s.isWritable ? "W" : "-") + (s.isExecutable ? "X" : "-")
            line("  \(pad(s.index, 3))  \(pad(s.size, 8))  \(flags)    \(s.name)")
        }

        line()
        line("Programs:")
        for p in object.programs {
            var attrs: [String] = []
            if p.isStructOps { attrs.append("struct_ops") }
            if p.isSleepable { attrs.append("sleepable") }
            line("  \(p.name)  section \(p.sectionName)  \(p.instructions.count) insns  \(attrs.isEmpty ? "" : "[" + attrs.joined(separator: ", ") + "]")")
            for f in p.functions.dropFirst() { line("    + subprogram \(f.name) at insn \(f.instruction)") }
        }

        line()
        line("Maps:")
        for m in object.maps {
            var flags: [String] = []
            if m.flags.contains(.readOnlyProgram) { flags.append("rdonly_prog") }
            if m.flags.contains(.mmapable) { flags.append("mmapable") }
            let extra = m.flags.subtracting([.readOnlyProgram, .mmapable]).rawValue
            if extra != 0 { flags.append("0x" + String(extra, radix: 16)) }
            line("  \(m.name)  \(m.type)  key \(m.keySize)  value \(m.valueSize)  max_entries \(m.maxEntries)\(flags.isEmpty ? "" : "  flags " + flags.joined(separator: "|"))")
        }

        let globals = object.maps.compactMap(\.globalData)
        if !globals.isEmpty {
            line()
            line("Global variables:")
            for g in globals {
                line("  \(g.sectionName)\(g.isReadOnly ? " (read-only)" : "")  \(g.initialBytes.count) bytes")
                for v in g.variables {
                    let type = object.btf?.typeDescription(v.typeID) ?? "?"
                    let value = v.offset + v.size <= g.initialBytes.count
                        ? initialValue(Array(g.initialBytes[v.offset..<(v.offset + v.size)]), text: type.contains("char[")) : "?"
                    line("    +\(pad(v.offset, 4))  \(pad(v.size, 3))  \(v.name): \(type) = \(value)\(v.isStatic ? "  (static)" : "")")
                }
            }
        }

        if !object.structOps.isEmpty {
            line()
            line("struct_ops:")
            for s in object.structOps {
                line("  \(s.name)  struct \(s.typeName)  (\(s.sectionName)\(s.isLink ? ", link" : ""), \(s.data.count) bytes)")
                for m in s.members {
                    if m.isFunctionPointer {
                        line("    .\(m.name) @\(m.offset) -> \(m.program ?? "(none)")")
                    } else {
                        let bytes = m.offset + m.size <= s.data.count ? Array(s.data[m.offset..<(m.offset + m.size)]) : []
                        line("    .\(m.name) @\(m.offset) = \(initialValue(bytes))")
                    }
                }
            }
        }

        if !object.externs.isEmpty {
            line()
            line("Externs:")
            for e in object.externs {
                let kind: String
                switch e.kind {
                case .function: kind = "kfunc"
                case .variable: kind = "ksym"
                case .kconfig: kind = "kconfig"
                }
                let proto = object.btf?.typeDescription(e.prototypeID ?? e.typeID) ?? "?"
                line("  \(e.name)  \(kind)\(e.isWeak ? " weak" : "")  \(proto)")
            }
        }

        if disassemble {
            for p in object.programs {
                line()
                line("Disassembly of \(p.name) (section \(p.sectionName)):")
                let relocations = Dictionary(p.relocations.map { ($0.instruction, $0.target) }, uniquingKeysWith: { a, _ in a })
                var lastLine: (String, Int)? = nil
                var i = 0
                while i < p.instructions.count {
                    if let f = p.functions.first(where: { $0.instruction == i }) { line("\(f.name):") }
                    if let loc = p.sourceLocation(at: i), lastLine.map({ $0 != (loc.file, loc.line) }) ?? true, loc.line > 0 {
                        line("; \(loc.source.trimmingCharacters(in: .whitespaces))  [\((loc.file as NSString).lastPathComponent):\(loc.line)]")
                        lastLine = (loc.file, loc.line)
                    }
                    let insn = p.instructions[i]
                    let next = i + 1 < p.instructions.count ? p.instructions[i + 1] : nil
                    var text = RawInstructionFormatter.format(insn, next: next, index: i)
                    if let target = relocations[i] { text += "    <\(describe(target, in: p))>" }
                    line("  \(pad(i, 5)):  \(text)")
                    i += insn.isLoadImm64 ? 2 : 1
                }
            }
        }
        return out
    }

    func describe(_ target: RelocationTarget, in program: BPFProgram) -> String {
        switch target {
        case let .map(name): return "map \(name)"
        case let .globalData(section, offset):
            let variable = object.globalData(section)?.variables.first { $0.offset <= offset && offset < $0.offset + max($0.size, 1) }
            return "\(section)+\(offset)" + (variable.map { " (\($0.name))" } ?? "")
        case let .kfunc(name): return "kfunc \(name)"
        case let .ksym(name): return "ksym \(name)"
        case let .subprogram(i): return "call \(program.function(containing: i) ?? "?")"
        case let .functionAddress(i): return "address of \(program.function(containing: i) ?? "?")"
        }
    }

    func initialValue(_ bytes: [UInt8], text: Bool = false) -> String {
        if bytes.isEmpty { return "?" }
        if text, let end = bytes.firstIndex(of: 0), bytes[..<end].allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
            return "\"\(String(decoding: bytes[..<end], as: UTF8.self))\""
        }
        if bytes.count <= 8 {
            var v: UInt64 = 0
            for (i, b) in bytes.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
            return bytes.count < 8 && v >> (UInt64(bytes.count) * 8 - 1) & 1 == 1
                ? "\(Int64(bitPattern: v | ~0 << (UInt64(bytes.count) * 8))) (0x\(String(v, radix: 16)))" : "\(v)"
        }
        if let end = bytes.firstIndex(of: 0), end > 0, bytes[..<end].allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
            return "\"\(String(decoding: bytes[..<end], as: UTF8.self))\""
        }
        return bytes.prefix(16).map { String(format: "%02x", $0) }.joined(separator: " ") + (bytes.count > 16 ? " ..." : "")
    }

    func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }
}

/// A minimal eBPF instruction formatter for `objdump`, until the `BPF` module's
/// disassembler (llvm-objdump syntax) replaces it after merging.
enum RawInstructionFormatter {
    static func format(_ insn: RawInstruction, next: RawInstruction?, index: Int) -> String {
        let op = insn.opcode
        let cls = op & 7
        let dst = "r\(insn.dst)", src = "r\(insn.src)"
        let off = insn.offset >= 0 ? "+ \(insn.offset)" : "- \(-Int(insn.offset))"
        let sizes: [UInt8: String] = [0x00: "u32", 0x08: "u16", 0x10: "u8", 0x18: "u64"]
        switch cls {
        case 0x00 where insn.isLoadImm64:
            let hi = UInt64(UInt32(bitPattern: next?.imm ?? 0)), lo = UInt64(UInt32(bitPattern: insn.imm))
            return "\(dst) = 0x\(String(hi << 32 | lo, radix: 16)) ll" + (insn.src != 0 ? " (src \(insn.src))" : "")
        case 0x01:  // LDX
            let sign = op & 0xe0 == 0x80 ? "s" : ""
            return "\(dst) = *(\(sign)\(sizes[op & 0x18] ?? "?") *)(\(src) \(off))"
        case 0x02:  // ST
            return "*(\(sizes[op & 0x18] ?? "?") *)(\(dst) \(off)) = \(insn.imm)"
        case 0x03:  // STX
            if op & 0xe0 == 0xc0 { return "atomic op 0x\(String(insn.imm, radix: 16)) *(\(sizes[op & 0x18] ?? "?") *)(\(dst) \(off)), \(src)" }
            return "*(\(sizes[op & 0x18] ?? "?") *)(\(dst) \(off)) = \(src)"
        case 0x04, 0x07:  // ALU, ALU64
            let reg = cls == 0x04 ? "w" : "r"
            let d = "\(reg)\(insn.dst)"
            let s = op & 0x08 != 0 ? "\(reg)\(insn.src)" : "\(insn.imm)"
            let ops: [UInt8: String] = [0x00: "+=", 0x10: "-=", 0x20: "*=", 0x30: "/=", 0x40: "|=", 0x50: "&=", 0x60: "<<=",
                                        0x70: ">>=", 0x90: "%=", 0xa0: "^=", 0xb0: "=", 0xc0: "s>>="]
            if op & 0xf0 == 0x80 { return "\(d) = -\(d)" }
            if op & 0xf0 == 0xd0 { return "\(d) = bswap/\(insn.imm)(\(d))" }
            return "\(d) \(ops[op & 0xf0] ?? "op(0x\(String(op, radix: 16)))") \(s)"
        case 0x05, 0x06:  // JMP, JMP32
            let code = op & 0xf0
            if op == 0x85 {
                if insn.src == RawInstruction.pseudoCall { return "call pc\(insn.imm >= 0 ? "+" : "")\(insn.imm)" }
                return "call \(insn.imm)"
            }
            if op == 0x95 { return "exit" }
            let target = index + Int(insn.offset) + 1
            if code == 0x00 { return "goto \(target)" }
            let reg = cls == 0x06 ? "w" : "r"
            let s = op & 0x08 != 0 ? "\(reg)\(insn.src)" : "\(insn.imm)"
            let ops: [UInt8: String] = [0x10: "==", 0x20: ">", 0x30: ">=", 0x40: "&", 0x50: "!=", 0x60: "s>", 0x70: "s>=",
                                        0xa0: "<", 0xb0: "<=", 0xc0: "s<", 0xd0: "s<="]
            return "if \(reg)\(insn.dst) \(ops[code] ?? "?") \(s) goto \(target)"
        default:
            return "opcode 0x\(String(op, radix: 16)) dst r\(insn.dst) src r\(insn.src) off \(insn.offset) imm \(insn.imm)"
        }
    }
}
