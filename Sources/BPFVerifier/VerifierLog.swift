import BPF
import BPFObject

/// The verifier log, as the kernel's levels: level 1 keeps the end of the failing path and the reason; level 2
/// every processed instruction with the registers it involves.
struct VerifierLog {
    let level: VerifierLogLevel
    private(set) var text = ""
    private var lastLine: Int? = nil

    init(level: VerifierLogLevel) {
        self.level = level
    }

    private mutating func line(_ s: String) {
        text += s
        text += "\n"
    }

    /// Level 2: one processed instruction, with its source line when it changes.
    mutating func instruction(_ pc: Int, program: VerifierProgram, state: VerifierState) {
        guard level >= .verbose else { return }
        sourceLine(pc, program: program)
        line("\(pc): \(Self.disassemble(pc, program)) ; \(Self.registers(state))")
    }

    /// Level 2: exploration resumes from a queued branch.
    mutating func branch(to pc: Int, state: VerifierState) {
        guard level >= .verbose else { return }
        line("from \(pc): \(Self.registers(state))")
    }

    /// The reason, the last instructions of the path (level 1), the instruction and its registers.
    mutating func failure(_ rejection: VerifierRejection, path: [Int], program: VerifierProgram) {
        guard level >= .errors else { return }
        if level == .errors && !path.isEmpty {
            line("... last \(path.count) instructions of the failing path:")
            for pc in path {
                sourceLine(pc, program: program)
                line("\(pc): \(Self.disassemble(pc, program))")
            }
        }
        line(rejection.kernelMessage)
    }

    mutating func summary(_ statistics: VerifierStatistics) {
        guard level >= .errors else { return }
        line(statistics.description)
    }

    private mutating func sourceLine(_ pc: Int, program: VerifierProgram) {
        guard let location = program.program.sourceLocation(at: pc), location.line != lastLine else { return }
        lastLine = location.line
        let source = location.source.drop { $0 == " " || $0 == "\t" }
        line("; \(source) @ \(location.file):\(location.line)")
    }

    /// The instruction in llvm-objdump syntax, with calls named (`call bpf_io_uring_get_region`).
    static func disassemble(_ pc: Int, _ program: VerifierProgram) -> String {
        if program.instructions[pc].isCall {
            switch program.callTarget(at: pc) {
            case .kfunc(let name): return "call \(name)"
            case .helper(let id): return "call \(Helpers.name(id))#\(id)"
            case .subprogram(let start): return "call \(program.functionName(start))"
            }
        }
        let next = pc + 1 < program.count ? program.instructions[pc + 1] : nil
        return Disassembler().text(program.instructions[pc], next: next, at: pc)
    }

    /// `R0=... R1=...` for the initialised registers of the current frame.
    static func registers(_ state: VerifierState) -> String {
        let frame = state.current
        var parts: [String] = []
        for (i, r) in frame.registers.enumerated() where r.isInitialized && i != 10 {
            parts.append("R\(i)=\(r)")
        }
        if state.frames.count > 1 { parts.insert("frame\(state.currentFrameNumber):", at: 0) }
        return parts.joined(separator: " ")
    }
}
