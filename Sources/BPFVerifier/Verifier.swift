import BPF
import BPFObject
import SystemPackage
import SystemSupport
import Foundation

/// A static verifier for loop programs whose load-time verdicts equal Linux's: it walks every path of a program by
/// abstract interpretation, with the kernel verifier's rules for a root loader (CAP_BPF, CAP_PERFMON).
///
/// A verdict is accepted, or a ``VerifierRejection`` that prints its reason, instruction, registers and source line
/// (`file.c:LINE`) and carries the ``VerifierRejection/errno`` that `BPF_PROG_LOAD` would fail with. What it models
/// and what not is described in the README's section "The static verifier".
public struct Verifier: Sendable {
    /// How the verifier runs: log level, global data at load, limits.
    public var options: VerifierOptions

    /// A verifier with `options`.
    public init(options: VerifierOptions = VerifierOptions()) {
        self.options = options
    }

    /// Verifies `program` of `object` as `BPF_PROG_LOAD` would for a struct_ops `loop_step`.
    public func verify(object: ObjectFile, program: ObjectProgram) -> VerifierVerdict {
        let clock = ContinuousClock()
        let start = clock.now
        var run = VerifierRun(object: object, program: program, options: options)
        let rejection = run.verify()
        run.statistics.verificationTime = clock.now - start
        return VerifierVerdict(
            program: program.name, rejection: rejection, log: run.log.text, statistics: run.statistics)
    }

    /// Verifies every program of `object`, in the object's order.
    public func verify(object: ObjectFile) -> [VerifierVerdict] {
        object.programs.map { verify(object: object, program: $0) }
    }
}

/// How a ``Verifier`` runs.
public struct VerifierOptions: Sendable {
    /// What the log records, as the kernel's `log_level`.
    public var logLevel: VerifierLogLevel = .errors
    /// The bytes of global-data sections at load, by section name (e.g. `.rodata`); sections not given keep the
    /// object's initial values. Read-only sections are frozen at load, so the verifier knows their contents, as the
    /// kernel does: a `get_region` size computed from `.rodata` is a constant.
    public var globalData: [String: [UInt8]] = [:]
    /// `BPF_COMPLEXITY_LIMIT_INSNS`: processed instructions before the program is "too large".
    public var instructionLimit = 1_000_000
    /// `BPF_COMPLEXITY_LIMIT_JMP_SEQ`: branches waiting to be explored before the program is "too complex".
    public var pendingBranchLimit = 8192

    /// Default options: log level 1, the object's global data, the kernel's limits.
    public init() {}
}

/// The verifier log's level, as the kernel's `log_level`.
public enum VerifierLogLevel: Int, Sendable, Comparable {
    /// No log.
    case none = 0
    /// The rejection and the instructions of the path that led to it (level 1).
    case errors = 1
    /// Every processed instruction with the register states (level 2).
    case verbose = 2

    /// Orders levels by verbosity.
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The verdict for one program: accepted, or rejected with the errno `BPF_PROG_LOAD` would return and why.
public struct VerifierVerdict: Sendable, CustomStringConvertible {
    /// The program's name.
    public var program: String
    /// Why the program is rejected; nil if it is accepted.
    public var rejection: VerifierRejection?
    /// The log, at the level asked for.
    public var log: String
    /// Work done: processed instructions, states.
    public var statistics: VerifierStatistics

    /// Whether the kernel would load the program.
    public var isAccepted: Bool { rejection == nil }
    /// The errno `BPF_PROG_LOAD` would fail with, nil if accepted.
    public var errno: Errno? { rejection?.errno }

    /// `accepted` or the errno's name, e.g. `EACCES` (the form kept in the corpus' recorded verdicts).
    public var summary: String { rejection?.errno.symbolicName ?? "accepted" }

    /// `program: accepted (...)` or the rejection in full.
    public var description: String {
        if let rejection { return "\(program): rejected with \(rejection.errno.symbolicName): \(rejection)" }
        return "\(program): accepted (\(statistics))"
    }
}

/// Why a program is rejected, for a person: one sentence first, then the instruction, the registers involved and the
/// source line; the kernel's own wording of the message too.
public struct VerifierRejection: Error, Sendable, CustomStringConvertible {
    /// The errno `BPF_PROG_LOAD` would return.
    public var errno: Errno
    /// One sentence saying what is wrong.
    public var reason: String
    /// The kernel's message for the same rejection (e.g. `R1 invalid mem access 'mem_or_null'`).
    public var kernelMessage: String
    /// Index of the instruction that fails, if one does.
    public var instructionIndex: Int?
    /// That instruction, disassembled.
    public var instruction: String?
    /// The states of the registers the instruction involves, e.g. `R1=mem_or_null(id=1,sz=64)`.
    public var registers: [String]
    /// The source line of the instruction, from the object's BTF line info.
    public var sourceLocation: SourceLocation?

    /// Reason, then the instruction, registers and `file.c:LINE`, one per line.
    public var description: String {
        var lines = [reason]
        if let instructionIndex, let instruction { lines.append("  at \(instructionIndex): \(instruction)") }
        if !registers.isEmpty { lines.append("  registers: " + registers.joined(separator: " ")) }
        if let sourceLocation {
            let text = sourceLocation.source.trimmingCharacters(in: .whitespaces)
            lines.append("  source: \(sourceLocation.file):\(sourceLocation.line)" + (text.isEmpty ? "" : ": \(text)"))
        }
        lines.append("  kernel: \(kernelMessage)")
        return lines.joined(separator: "\n")
    }
}

/// What verification cost, as the kernel's summary line reports it.
public struct VerifierStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Instructions processed over all paths (the kernel's `processed N insns`).
    public var processedInstructions = 0
    /// States kept for pruning (`total_states`).
    public var totalStates = 0
    /// The most states kept at once (`peak_states`).
    public var peakStates = 0
    /// Paths cut because an explored state covered them.
    public var prunedPaths = 0
    /// Wall-clock time of the verification (the kernel's `verification time`).
    public var verificationTime: Duration = .zero

    /// `processed N insns, total_states N, peak_states N, verification time N usec`.
    public var description: String {
        let (seconds, attoseconds) = verificationTime.components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return "processed \(processedInstructions) insns, total_states \(totalStates), peak_states \(peakStates), "
            + "verification time \(microseconds) usec"
    }
}
