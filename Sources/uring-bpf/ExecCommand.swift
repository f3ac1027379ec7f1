import ArgumentParser
import BPF
import BPFJIT
import BPFObject
import Foundation

/// `uring-bpf exec OBJECT`: runs a plain BPF function (from `.text`) once over a buffer.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a plain BPF function of an object once, with r1 = a buffer and r2 = its length.",
        discussion: """
            Prints r0, the instructions executed and the time. The function may use global data (.data, .bss, \
            .rodata) but no maps or kfuncs.

            Example:
              uring-bpf exec checksum --mem-file README.md
            """
    )

    @Argument(help: "The object file (.bpf.o), or the name of a bundled example.")
    var file: String

    @Option(help: "The function to run (default: the object's only .text function).")
    var function: String?

    @Option(help: ArgumentHelp("A file whose bytes are the buffer (default: an empty buffer).", valueName: "path"))
    var memFile: String?

    @Option(help: "The engine that runs the function (the JIT falls back to the interpreter where it cannot run).")
    var engine: ExecutionEngine = .default

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let (object, _) = try loadObject(file: file, example: nil)
        let chosen: ObjectProgram
        if let function {
            guard let f = object.function(named: function) else {
                throw ValidationError("no function \(function) in .text (it has: \(object.functions.map(\.name).joined(separator: ", ")))")
            }
            chosen = f
        } else {
            guard object.functions.count == 1 else {
                throw ValidationError(object.functions.isEmpty
                    ? "the object has no function in .text"
                    : "the object has several functions; choose one with --function (\(object.functions.map(\.name).joined(separator: ", ")))")
            }
            chosen = object.functions[0]
        }
        let executable: ExecutableProgram
        do {
            executable = try ExecutableProgram(chosen, of: object)
        } catch {
            writeError("cannot prepare \(chosen.name): \(error)")
            throw ExitCode(2)
        }
        var bytes: [UInt8] = []
        if let memFile {
            guard let data = FileManager.default.contents(atPath: memFile) else { throw ValidationError("cannot read \(memFile)") }
            bytes = [UInt8](data)
        }
        let runner = ProgramRunner(program: executable.program, memory: executable.memory, engine: engine)
        let clock = ContinuousClock()
        let start = clock.now
        let result = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(RuntimeError) in try runner.run(memory: buffer) }
        }
        let elapsed = clock.now - start
        switch result {
        case .success(let r0):
            let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
            if json {
                let object: [String: Any] = [
                    "function": chosen.name, "r0": NSNumber(value: r0), "instructions": NSNumber(value: runner.instructionsExecuted),
                    "nanoseconds": NSNumber(value: nanoseconds), "buffer_bytes": bytes.count, "engine": runner.engine.rawValue,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("\(chosen.name): r0 = \(r0) (0x\(String(r0, radix: 16))), \(runner.instructionsExecuted) instructions in \(formatDuration(elapsed)) (\(runner.engine)), buffer \(bytes.count) bytes")
            }
        case .failure(let error):
            var text = "\(chosen.name): \(error)"
            if let location = executable.sourceLocation(at: error.index) {
                text += " (\(location): \(location.source.trimmingCharacters(in: .whitespaces)))"
            }
            writeError(text)
            throw ExitCode(1)
        }
    }
}

/// Writes `text` and a newline to standard error.
func writeError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
