import BPF

/// What a relocated instruction refers to. Loaders turn these into map fds,
/// map-value addresses and kfunc BTF IDs; bpf-to-bpf calls are already linked.
public enum RelocationTarget: Equatable, Hashable, Sendable {
    /// `lddw` of a map defined in `.maps` (by map name): becomes `BPF_PSEUDO_MAP_FD`.
    case map(String)
    /// `lddw` of a global variable: the global-data map of `section` at byte
    /// `offset` (symbol offset plus addend): becomes `BPF_PSEUDO_MAP_VALUE`.
    case globalData(section: String, offset: Int)
    /// `call` of a kfunc extern (by name): becomes `BPF_PSEUDO_KFUNC_CALL` with the kernel's BTF ID.
    case kfunc(String)
    /// `lddw` of a ksym extern's address (by name), e.g. `bpf_ksym_exists()`.
    case ksym(String)
    /// A bpf-to-bpf call, already linked: the callee starts at this instruction
    /// index of the same program and `imm` is already the relative offset.
    case subprogram(Int)
    /// `lddw` of a function's address (callback), linked like a call
    /// (`src = BPF_PSEUDO_FUNC`, `imm` relative).
    case functionAddress(Int)
}

/// One relocated instruction of a program.
public struct ProgramRelocation: Equatable, Hashable, Sendable {
    /// Index in ``ObjectProgram/instructions`` (the first half of an `lddw`).
    public var instruction: Int
    /// What it refers to.
    public var target: RelocationTarget
}

/// A source position for an instruction, from `.BTF.ext` line_info.
public struct SourceLocation: Equatable, Sendable, CustomStringConvertible {
    /// Source file name.
    public var file: String
    /// Source line number (1-based).
    public var line: Int
    /// Source column (1-based; 0 if unknown).
    public var column: Int
    /// The text of the source line.
    public var source: String
    /// A readable description.
    public var description: String { "\(file):\(line):\(column)" }
}

/// A function inside a linked program: the entry function or an appended subprogram.
public struct ProgramFunction: Equatable, Hashable, Sendable {
    /// The name ("" if anonymous).
    public var name: String
    /// Index of its first instruction in ``ObjectProgram/instructions``.
    public var instruction: Int
}

/// One program: an entry function of an executable section with every
/// subprogram it calls appended (as libbpf links them).
public struct ObjectProgram: Equatable, Sendable {
    /// The entry function's symbol name.
    public var name: String
    /// The ELF section it came from, e.g. `struct_ops.s/nops_step`.
    public var sectionName: String
    /// Sections `struct_ops.s/...` (and other `.s/` flavours) load with `BPF_F_SLEEPABLE`.
    public var isSleepable: Bool
    /// A struct_ops program (section `struct_ops/...` or `struct_ops.s/...`).
    public var isStructOps: Bool
    /// Linked instructions: the entry function first, then appended subprograms.
    public var instructions: [Instruction]
    /// Every relocated instruction, in instruction order.
    public var relocations: [ProgramRelocation]
    /// Functions making up the program (entry first) and where each starts.
    public var functions: [ProgramFunction]
    /// func_info for the kernel (`prog_btf_fd`), one per function.
    public var functionInfo: [FunctionInfo]
    /// line_info for the kernel, sorted by instruction.
    public var lineInfo: [LineInfo]

    /// The source location of instruction `index` (the closest line_info at or before it
    /// within the same function), or nil without line info.
    public func sourceLocation(at index: Int) -> SourceLocation? {
        var best: LineInfo? = nil
        // Do not carry a location over a function boundary.
        let functionStart = functions.map(\.instruction).filter { $0 <= index }.max() ?? 0
        for info in lineInfo where info.instruction <= index && info.instruction >= functionStart {
            if best == nil || info.instruction >= best!.instruction { best = info }
        }
        guard let best else { return nil }
        return SourceLocation(file: best.file, line: best.line, column: best.column, source: best.source)
    }

    /// The name of the function containing instruction `index`.
    public func function(containing index: Int) -> String? {
        functions.filter { $0.instruction <= index }.max { $0.instruction < $1.instruction }?.name
    }

    /// func_info as `BPF_PROG_LOAD` takes it: `{insn_off, type_id}` records of 8
    /// bytes, little-endian, `insn_off` in instructions.
    public var functionInfoBytes: [UInt8] {
        var w = ByteWriter()
        for f in functionInfo {
            w.u32(UInt32(f.instruction))
            w.u32(f.typeID)
        }
        return w.bytes
    }

    /// line_info as `BPF_PROG_LOAD` takes it: `{insn_off, file_name_off, line_off,
    /// line_col}` records of 16 bytes; the string offsets refer to the object's BTF
    /// (also valid in ``ObjectFile/kernelBTF()``, which keeps the string table).
    public var lineInfoBytes: [UInt8] {
        var w = ByteWriter()
        for l in lineInfo {
            w.u32(UInt32(l.instruction))
            w.u32(l.fileNameOffset)
            w.u32(l.lineOffset)
            w.u32(l.lineColumn)
        }
        return w.bytes
    }
}
