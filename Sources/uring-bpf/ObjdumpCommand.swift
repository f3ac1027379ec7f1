import ArgumentParser
import BPF
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

            \(ExitStatus.documentation)
            """
    )

    @Argument(help: "The object file (.bpf.o), or the name of a bundled example.")
    var file: String?

    @Option(help: "Describe a built example by name instead of a file.")
    var example: String?

    @Flag(help: "List the bundled examples: name, source file, object size.")
    var listExamples = false

    @Flag(help: "Skip the disassembly.")
    var noDisassembly = false

    @Option(help: ArgumentHelp("Parse a raw BTF file (e.g. /sys/kernel/btf/vmlinux) and report its size and parse time.", valueName: "PATH"))
    var btf: String?

    @Option(help: ArgumentHelp("With --btf: look up types by name and print their members (repeatable).", valueName: "TYPE"))
    var find: [String] = []

    func run() throws {
        if listExamples {
            for e in UringBPFExamples.all { print("\(e.name)\t\(e.sourceFile)\t\(e.bytes.count) bytes") }
            return
        }
        if let btf { return try dumpBTF(path: btf) }
        guard file != nil || example != nil else { throw ValidationError("give an object file, --example NAME or --btf FILE") }
        let input = try ObjectInput(file: file, example: example)
        print(ObjectListing(object: input.object, title: input.title, disassemble: !noDisassembly).render(), terminator: "")
    }

    func dumpBTF(path: String) throws {
        let bytes = try ObjectInput.read(path)
        let clock = ContinuousClock()
        var parsed: BTF? = nil
        let elapsed = try clock.measure {
            do { parsed = try BTF(bytes: bytes) } catch { throw ObjectInputError("\(path): \(error)") }
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

/// Renders an object as text (kept apart from argument parsing so it reads top to bottom).
struct ObjectListing {
    let object: ObjectFile
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
                let symbols = ProgramSymbols(object: object, program: p)
                let instructions = p.instructions.map {
                    Instruction(opcode: $0.opcode, dst: $0.dst, src: $0.src, offset: $0.offset, imm: $0.imm)
                }
                let disassembler = Disassembler(syntax: .llvm, symbolizer: symbols.name)
                var lastLine: (String, Int)? = nil
                for (i, text) in disassembler.disassemble(instructions) {
                    if let f = p.functions.first(where: { $0.instruction == i }) { line("\(f.name):") }
                    if let loc = p.sourceLocation(at: i), lastLine.map({ $0 != (loc.file, loc.line) }) ?? true, loc.line > 0 {
                        line("; \(loc.source.trimmingCharacters(in: .whitespaces))  [\((loc.file as NSString).lastPathComponent):\(loc.line)]")
                        lastLine = (loc.file, loc.line)
                    }
                    // As llvm-objdump: index, the raw bytes (16 for an lddw), the instruction.
                    let slots = p.instructions[i].isLoadImmediate64 && i + 1 < p.instructions.count ? 2 : 1
                    let bytes = Instruction.encode(Array(p.instructions[i..<(i + slots)]))
                        .map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
                    let note = symbols.annotation(instructions[i], at: i).map { " <\($0)>" } ?? ""
                    line("\(pad(i, 8)):\t\(bytes)\t\(text)\(note)")
                }
            }
        }
        return out
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

/// Names for the disassembly of one program, from its relocations: kfunc and helper calls, bpf-to-bpf calls,
/// and the `lddw`s of maps, global data, ksyms and callbacks.
struct ProgramSymbols {
    let object: ObjectFile
    let program: ObjectProgram
    let relocations: [Int: RelocationTarget]

    init(object: ObjectFile, program: ObjectProgram) {
        self.object = object
        self.program = program
        relocations = Dictionary(program.relocations.map { ($0.instruction, $0.target) }, uniquingKeysWith: { a, _ in a })
    }

    /// The `Disassembler.Symbolizer`: what `call` calls, or what an `lddw` loads (`r1 = NAME ll`).
    func name(_ insn: Instruction, _ index: Int) -> String? {
        switch relocations[index] {
        case .kfunc(let name)?: return name
        case .subprogram(let target)?: return functionName(at: target)
        case .map(let name)?: return "map_fd(\(name))"
        case .globalData(let section, let offset)?:  // hex, as the disassembly's other offsets
            return offset == 0 ? section : "\(section) + 0x\(String(offset, radix: 16))"
        case .ksym(let name)?: return name
        case .functionAddress(let target)?: return "func(\(functionName(at: target)))"
        case nil:
            guard insn.opcode == ISA.call else { return nil }
            switch insn.src {
            case ISA.CallKind.helper: return helperNames[insn.imm]
            case ISA.CallKind.local: return functionName(at: index + 1 + Int(insn.imm))
            default: return nil
            }
        }
    }

    /// A note after the instruction: where a jump goes (as llvm-objdump: function + byte offset), or the global
    /// variable an `lddw` of global data points at.
    func annotation(_ insn: Instruction, at index: Int) -> String? {
        let isJump = insn.instructionClass == .jmp || insn.instructionClass == .jmp32
        if isJump, insn.opcode != ISA.call, insn.opcode != ISA.exit, insn.opcode != ISA.callx {
            let target = index + 1 + (insn.opcode == ISA.ja32 ? Int(insn.imm) : Int(insn.offset))
            guard let function = program.functions.filter({ $0.instruction <= target })
                .max(by: { $0.instruction < $1.instruction }) else { return nil }
            let bytes = (target - function.instruction) * 8
            return bytes == 0 ? function.name : "\(function.name)+0x\(String(bytes, radix: 16))"
        }
        guard case .globalData(let section, let offset)? = relocations[index],
              let variable = object.globalData(section)?.variables.first(where: {
                  $0.offset <= offset && offset < $0.offset + max($0.size, 1)
              })
        else { return nil }
        return offset == variable.offset
            ? variable.name : "\(variable.name) + 0x\(String(offset - variable.offset, radix: 16))"
    }

    private func functionName(at index: Int) -> String {
        program.functions.first { $0.instruction == index }?.name ?? "pc \(index)"
    }
}

/// Names of common helpers by id (`include/uapi/linux/bpf.h`, `__BPF_FUNC_MAPPER`); others print as `call ID`.
let helperNames: [Int32: String] = [
    1: "bpf_map_lookup_elem", 2: "bpf_map_update_elem", 3: "bpf_map_delete_elem", 4: "bpf_probe_read",
    5: "bpf_ktime_get_ns", 6: "bpf_trace_printk", 7: "bpf_get_prandom_u32", 8: "bpf_get_smp_processor_id",
    12: "bpf_tail_call", 14: "bpf_get_current_pid_tgid", 15: "bpf_get_current_uid_gid", 16: "bpf_get_current_comm",
    25: "bpf_perf_event_output", 93: "bpf_spin_lock", 94: "bpf_spin_unlock", 112: "bpf_probe_read_user",
    113: "bpf_probe_read_kernel", 114: "bpf_probe_read_user_str", 115: "bpf_probe_read_kernel_str",
    125: "bpf_ktime_get_boot_ns", 130: "bpf_ringbuf_output", 131: "bpf_ringbuf_reserve", 132: "bpf_ringbuf_submit",
    133: "bpf_ringbuf_discard", 148: "bpf_copy_from_user", 160: "bpf_ktime_get_coarse_ns",
    164: "bpf_for_each_map_elem", 165: "bpf_snprintf", 177: "bpf_trace_vprintk", 181: "bpf_loop",
]
