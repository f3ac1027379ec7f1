import BPFObject

// `BPFObject` is both a module and a type, and `BPFProgram` exists in BPFObject and BPFKernel, so
// module-qualified names do not work; these aliases (in a file importing only BPFObject) name the types.

/// A program of a BPF object file.
typealias ObjectProgram = BPFProgram
