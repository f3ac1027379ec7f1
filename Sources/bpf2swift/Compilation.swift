import Foundation

/// One `*.bpf.c` compiled by clang for BPF, with the flags every loop program is built with.
///
/// The object names its files relative to the program's directory (`nops_seq.bpf.c`,
/// `../../Examples/include/uring_bpf.h`): the absolute directories are mapped away in the debug and BTF line info,
/// so no build-machine path ends up in the object or in the binary that embeds it (checked after compiling). clang
/// runs in the program's directory, where those relative names lead to the files: the BTF line info carries each
/// source line's text, which clang reads from the (mapped) file name.
struct Compilation {
    var clang: String
    /// The directory holding `uring_bpf.h`.
    var include: String
    /// The `*.bpf.c` file.
    var source: String
    /// Where to write the object.
    var object: String

    /// The source's base name: "nops_seq" for `nops_seq.bpf.c`.
    var name: String {
        let file = URL(fileURLWithPath: source).lastPathComponent
        return file.hasSuffix(".bpf.c") ? String(file.dropLast(".bpf.c".count)) : file
    }

    var sourceDirectory: String { URL(fileURLWithPath: source).deletingLastPathComponent().path }

    /// The include directory relative to the source's directory.
    var relativeInclude: String {
        let from = URL(fileURLWithPath: sourceDirectory).standardizedFileURL.pathComponents
        let to = URL(fileURLWithPath: include).standardizedFileURL.pathComponents
        let common = zip(from, to).prefix { $0 == $1 }.count
        let path = Array(repeating: "..", count: from.count - common) + to.dropFirst(common)
        return path.isEmpty ? "." : path.joined(separator: "/")
    }

    var arguments: [String] {
        [
            "-target", "bpf", "-O2", "-g", "-mcpu=v4", "-Wall",
            "-I", include,
            "-ffile-prefix-map=\(sourceDirectory)/=", "-ffile-prefix-map=\(include)/=\(relativeInclude)/",
            "-fdebug-compilation-dir=.",
            "-c", source, "-o", object,
        ]
    }

    /// Runs clang (its diagnostics go to the build log) and returns the object's bytes.
    func run() throws(ToolError) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: clang)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: sourceDirectory)
        do {
            try process.run()
        } catch {
            throw ToolError("cannot run \(clang): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw ToolError("clang failed to compile \(source) (status \(process.terminationStatus))")
        }
        guard let data = FileManager.default.contents(atPath: object), !data.isEmpty else {
            throw ToolError("clang wrote no object for \(source) at \(object)")
        }
        let bytes = [UInt8](data)
        for path in [sourceDirectory, include, FileManager.default.currentDirectoryPath] where path.count > 1 {
            if contains(bytes, Array(path.utf8)) {
                throw ToolError("the object of \(source) still names the build directory \(path)")
            }
        }
        return bytes
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
