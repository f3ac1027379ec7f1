import ArgumentParser
import BPFObject
import Foundation
import UringBPFExamples

/// Reads the object a command works on: a file path, or a bundled example given by name.
func loadObject(file: String?, example: String?) throws -> (object: ObjectFile, title: String) {
    if let example {
        guard let e = UringBPFExamples.named(example) else {
            throw ValidationError("no example '\(example)'; have: \(UringBPFExamples.all.map(\.name).joined(separator: ", "))")
        }
        return (try ObjectFile(bytes: e.bytes), e.name)
    }
    guard let file else { throw ValidationError("give an object file (FILE.bpf.o) or --example NAME") }
    guard let data = FileManager.default.contents(atPath: file) else {
        if let e = UringBPFExamples.named(file) { return (try ObjectFile(bytes: e.bytes), e.name) }
        throw ValidationError("cannot read \(file)")
    }
    return (try ObjectFile(bytes: [UInt8](data)), file)
}
