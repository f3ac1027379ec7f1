import BPF
import BPFObject

/// One verification of one program (stub).
struct VerifierRun {
    let object: ObjectFile
    let program: ObjectProgram
    let options: VerifierOptions
    var log = VerifierLog(level: .none)
    var statistics = VerifierStatistics()

    init(object: ObjectFile, program: ObjectProgram, options: VerifierOptions) {
        self.object = object
        self.program = program
        self.options = options
        log = VerifierLog(level: options.logLevel)
    }

    mutating func verify() -> VerifierRejection? { nil }
}

struct VerifierLog {
    let level: VerifierLogLevel
    var text = ""
}
