import BPFObject
import Foundation

// bpf2swift: the build tool behind BPFCompilerPlugin.
//
//   bpf2swift compile --clang CLANG --include DIR --source NAME.bpf.c --object OUT.bpf.o --output OUT.swift
//       compiles NAME.bpf.c for BPF and writes the Swift file for it (see AccessorFile);
//   bpf2swift index --output OUT.swift NAME...
//       writes the target's list of objects (see IndexFile).
//
// Any failure (clang's, a malformed object, a build path left in the object) exits 1 with a message: the build
// fails rather than embedding something wrong.

do {
    var arguments = Array(CommandLine.arguments.dropFirst())
    guard !arguments.isEmpty else { throw ToolError("usage: bpf2swift compile|index OPTIONS") }
    switch arguments.removeFirst() {
    case "compile":
        var options = try Options(arguments, names: ["--clang", "--include", "--source", "--object", "--output"])
        let compilation = Compilation(
            clang: try options.take("--clang"), include: try options.take("--include"),
            source: try options.take("--source"), object: try options.take("--object"))
        let output = try options.take("--output")
        let bytes = try compilation.run()
        let object: ObjectFile
        do { object = try ObjectFile(bytes: bytes) } catch {
            throw ToolError("\(compilation.source): the compiled object cannot be read: \(error)")
        }
        try write(AccessorFile(name: compilation.name, object: object, bytes: bytes).render(), to: output)
    case "index":
        var options = try Options(arguments, names: ["--output"])
        let output = try options.take("--output")
        try write(try IndexFile(names: options.positional).render(), to: output)
    case let command:
        throw ToolError("unknown command '\(command)' (expected compile or index)")
    }
} catch {
    let message = (error as? ToolError)?.message ?? "\(error)"
    FileHandle.standardError.write(Data("error: bpf2swift: \(message)\n".utf8))
    exit(1)
}

/// Writes `text` to `path` through a temporary file, so a failed build never leaves a partial file behind.
func write(_ text: String, to path: String) throws(ToolError) {
    do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        throw ToolError("cannot write \(path): \(error.localizedDescription)")
    }
}

/// A failure that ends the tool (and the build) with `message`.
struct ToolError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// `--name value` options and positional arguments.
struct Options {
    private var values: [String: String] = [:]
    private(set) var positional: [String] = []

    init(_ arguments: [String], names: Set<String>) throws(ToolError) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument.hasPrefix("--") {
                guard names.contains(argument) else { throw ToolError("unknown option \(argument)") }
                guard let value = rest.popFirst() else { throw ToolError("\(argument) needs a value") }
                values[argument] = value
            } else {
                positional.append(argument)
            }
        }
    }

    mutating func take(_ name: String) throws(ToolError) -> String {
        guard let value = values.removeValue(forKey: name) else { throw ToolError("missing \(name)") }
        return value
    }
}
