import SystemPackage
import SystemSupport
import ArgumentParser
import BPFObject
import BPFVerifier
import Foundation

/// `uring-bpf verify OBJECT`: the kernel verifier's load-time verdict on each loop program of an object, computed
/// in user space (the `BPFVerifier` module): accepted, or rejected with the errno, the reason, the instruction, the
/// registers and the source line. Exit status 0 when every program is accepted, 2 when one is rejected.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a BPF object's loop programs as Linux's verifier would at load (exit 0 accepted, 2 rejected).",
        discussion: """
            Examples:
              uring-bpf verify prog.bpf.o
              uring-bpf verify nops_qd                      (a bundled example)
              uring-bpf verify prog.bpf.o --log-level 2     (every processed instruction with its registers)
              uring-bpf verify prog.bpf.o --set cq_entries=256
            """
    )

    @Argument(help: "The object file (.bpf.o), or the name of a bundled example.")
    var object: String

    @Option(help: "Verify only the program with this name.")
    var program: String?

    @Option(help: "Log level as the kernel's: 0 none, 1 the failing path and the reason, 2 every instruction.")
    var logLevel = 1

    @Option(
        name: .customLong("set"),
        help: "Set a .rodata global before verifying (NAME=VALUE), as a loader does before load; repeatable.")
    var globals: [String] = []

    func run() throws {
        let (object, title) = try loadObject(file: self.object, example: nil)
        guard let level = VerifierLogLevel(rawValue: logLevel) else {
            throw ValidationError("--log-level must be 0, 1 or 2")
        }
        var options = VerifierOptions()
        options.logLevel = level
        options.globalData = try globalData(object)
        let programs = try program.map { name in
            guard let p = object.program(named: name) else {
                throw ValidationError("no program '\(name)' in \(title); have: \(object.programs.map(\.name).joined(separator: ", "))")
            }
            return [p]
        } ?? object.programs
        guard !programs.isEmpty else {
            throw ValidationError("\(title) has no loop programs (struct_ops sections) to verify")
        }

        var rejected = false
        let verifier = Verifier(options: options)
        for program in programs {
            let verdict = verifier.verify(object: object, program: program)
            if let rejection = verdict.rejection {
                rejected = true
                print("\(program.name): REJECTED with \(rejection.errno.symbolicName)")
                print(rejection)
                if level >= .errors {
                    print("log:")
                    print(verdict.log, terminator: "")
                }
            } else {
                print("\(program.name): accepted (\(verdict.statistics))")
                if level >= .verbose { print(verdict.log) }
            }
        }
        if rejected { throw ExitCode(2) }
    }

    /// The read-only sections with `--set` values applied.
    func globalData(_ object: ObjectFile) throws -> [String: [UInt8]] {
        var images: [String: [UInt8]] = [:]
        for assignment in globals {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Int64(parts[1]) ?? UInt64(parts[1]).map({ Int64(bitPattern: $0) }) else {
                throw ValidationError("--set takes NAME=INTEGER, not '\(assignment)'")
            }
            guard let map = object.maps.first(where: { $0.globalData?.variable(named: parts[0]) != nil }),
                let data = map.globalData, let variable = data.variable(named: parts[0])
            else {
                throw ValidationError("no global '\(parts[0])' in the object")
            }
            var image = images[map.name] ?? data.initialBytes
            guard variable.size <= 8, variable.offset + variable.size <= image.count else {
                throw ValidationError("global '\(parts[0])' is \(variable.size) bytes; --set sets integers of up to 8")
            }
            for i in 0..<variable.size {
                image[variable.offset + i] = UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> UInt64(8 * i))
            }
            images[map.name] = image
        }
        return images
    }
}
