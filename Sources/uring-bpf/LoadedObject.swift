import ArgumentParser
import BPFObject
import Foundation
import UringBPFExamples

/// Reads the object a command works on: a file path, or a bundled example given by name (see ``ObjectInput``).
func loadObject(file: String?, example: String?) throws -> (object: ObjectFile, title: String) {
    let input = try ObjectInput(file: file, example: example)
    return (input.object, input.title)
}

/// The object a command works on: a `.bpf.o` file, or a bundled example given by name.
struct ObjectInput {
    var object: ObjectFile
    /// The path, or the example's name.
    var title: String

    init(object: ObjectFile, title: String) {
        self.object = object
        self.title = title
    }

    /// Reads `--example NAME`, or `file`: a path, or an example's name when no such file exists.
    init(file: String?, example: String?) throws {
        if let example {
            self = try Self.example(example)
        } else if let file {
            if !FileManager.default.fileExists(atPath: file), UringBPFExamples.named(file) != nil {
                self = try Self.example(file)
            } else {
                let bytes = try Self.read(file)
                do { object = try ObjectFile(bytes: bytes) } catch { throw ObjectInputError("\(file): \(error)") }
                title = file
            }
        } else {
            throw ValidationError("give an object file (FILE.bpf.o) or the name of an example (\(Self.exampleNames))")
        }
    }

    private static func example(_ name: String) throws -> ObjectInput {
        guard let e = UringBPFExamples.named(name) else {
            throw ValidationError("no example '\(name)'; the examples are \(exampleNames)")
        }
        do {
            return ObjectInput(object: try ObjectFile(bytes: e.bytes), title: e.name)
        } catch {
            throw ObjectInputError("example \(name): \(error)")
        }
    }

    private static var exampleNames: String { UringBPFExamples.all.map(\.name).joined(separator: ", ") }

    /// The bytes of the object file at `path`: a regular file that is not empty.
    static func read(_ path: String) throws(ObjectInputError) -> [UInt8] {
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(path) } catch { throw ObjectInputError(error.description) }
        guard !bytes.isEmpty else { throw ObjectInputError("\(path) is empty, not an object file") }
        return bytes
    }
}

/// An object that could not be read or parsed: exit status 2, as for a program that could not be loaded.
struct ObjectInputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
