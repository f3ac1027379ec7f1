import Foundation

#if canImport(Glibc)
import Glibc
#endif

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
        // posix_spawn, not Foundation's Process, whose run() leaks a weak reference each time (LeakSanitizer fails
        // the build of `swift build --sanitize=address` on it).
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // glibc 2.29+ has it, but declares it only for _GNU_SOURCE, which Swift's Glibc module is not built with.
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
            throw ToolError("this C library has no posix_spawn_file_actions_addchdir_np (glibc 2.29+)")
        }
        _ = unsafeBitCast(symbol, to: AddChdir.self)(&actions, sourceDirectory)
        let argv = ([clang] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, clang, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ToolError("cannot run \(clang): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw ToolError("clang failed to compile \(source) (wait status \(status))")
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
