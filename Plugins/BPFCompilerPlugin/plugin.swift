import Foundation
import PackagePlugin

/// Compiles a target's BPF loop programs and embeds them in the target with typed accessors.
///
/// The programs of target `T` are the `*.bpf.c` files in `Programs/T/` at the root of the package (SwiftPM does
/// not look there, so the target needs no `exclude:`). Each is compiled by the toolchain's clang
/// (`-target bpf -O2 -g -mcpu=v4`) with uring-bpf's `uring_bpf.h` on the include path, and `bpf2swift` turns the
/// object into Swift: `nops_seq.bpf.c` becomes `public enum NopsSeq` with `bytes`, `object()` and typed names for
/// its globals, maps and programs; `BuiltBPFObjects.all` (internal) lists every object of the target. The target
/// must depend on the `UringBPF` product, whose types the generated code uses.
@main
struct BPFCompilerPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "Programs").appending(path: target.name)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let sources = files.filter { $0.hasSuffix(".bpf.c") }.sorted().map { folder.appending(path: $0) }
        guard !sources.isEmpty else {
            throw PluginError("target '\(target.name)' uses BPFCompilerPlugin but has no programs: put its *.bpf.c "
                + "files in \(folder.path)")
        }
        // A program may include headers of its own, beside it.
        let localHeaders = files.filter { $0.hasSuffix(".h") }.map { folder.appending(path: $0) }
        let include = try headerDirectory(context)
        let tool = try context.tool(named: "bpf2swift").url
        let clang = try context.tool(named: "clang").url
        let work = context.pluginWorkDirectoryURL

        var commands: [Command] = sources.map { source in
            let name = String(source.lastPathComponent.dropLast(".bpf.c".count))
            // The object is not a declared output: SwiftPM would copy it into a resource bundle.
            let output = work.appending(path: "\(name).bpf.swift")
            return .buildCommand(
                displayName: "Compiling BPF program \(source.lastPathComponent)",
                executable: tool,
                arguments: ["compile", "--clang", clang.path, "--include", include.path, "--source", source.path,
                            "--object", work.appending(path: "\(name).bpf.o").path, "--output", output.path],
                inputFiles: [source, include.appending(path: "uring_bpf.h"), clang] + localHeaders,
                outputFiles: [output])
        }
        let index = work.appending(path: "BuiltBPFObjects.swift")
        commands.append(.buildCommand(
            displayName: "Listing the BPF programs of \(target.name)",
            executable: tool,
            arguments: ["index", "--output", index.path]
                + sources.map { String($0.lastPathComponent.dropLast(".bpf.c".count)) },
            outputFiles: [index]))
        return commands
    }

    /// The directory of `uring_bpf.h`: `Examples/include` of the uring-bpf package, which is the package being
    /// built or one of its dependencies (found by its `UringBPF` product).
    private func headerDirectory(_ context: PluginContext) throws -> URL {
        var queue = [context.package]
        var seen: Set<String> = []
        while !queue.isEmpty {
            let package = queue.removeFirst()
            guard seen.insert(package.directoryURL.path).inserted else { continue }
            let include = package.directoryURL.appending(path: "Examples/include")
            if package.products.contains(where: { $0.name == "UringBPF" }),
               FileManager.default.fileExists(atPath: include.appending(path: "uring_bpf.h").path) {
                return include
            }
            queue += package.dependencies.map(\.package)
        }
        throw PluginError("cannot find uring_bpf.h: the package must depend on uring-bpf (its UringBPF product)")
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
