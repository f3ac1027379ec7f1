import ArgumentParser
import BPFJIT
import BPFObject
import Foundation
import UringBPF
import UringBPFExamples

/// `uring-bpf bench copy`: copy one file, side by side: a synchronous read/write loop, `cp` as a process, the
/// queue-depth-1 `copy_file` example and `copy_deep` with `depth` reads and writes in flight (user mode; kernel mode
/// too where the kernel has it). Every copy is compared with the input before its time counts.
struct BenchCopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a file: read/write loop vs cp vs copy_file (queue depth 1) vs copy_deep (depth in flight)."
    )

    @Option(help: "Bytes of the file to copy.")
    var size: Int = 64 << 20

    @Option(help: "Reads/writes in flight for copy_deep, 1...64.")
    var depth: Int = 8

    @Option(help: "Bytes per read and write (every variant but cp).")
    var bufferSize: Int = 128 << 10

    @Option(help: "Measured runs per variant (after one warm-up run each); the median counts.")
    var repetitions: Int = 5

    func validate() throws {
        guard (0...(1 << 34)).contains(size) else { throw ValidationError("--size must be 0...\(1 << 34)") }
        guard (1...64).contains(depth) else { throw ValidationError("--depth must be 1...64") }
        guard (1...(16 << 20)).contains(bufferSize) else { throw ValidationError("--buffer-size must be 1...\(16 << 20)") }
        guard repetitions > 0 else { throw ValidationError("--repetitions must be at least 1") }
    }

    func run() throws {
        let directory = NSTemporaryDirectory() + "uring-bpf-bench-copy-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/in", output = directory + "/out"
        var content = [UInt8](repeating: 0, count: size)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for i in content.indices {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            content[i] = UInt8(truncatingIfNeeded: state)
        }
        try RegularFile.create(input, contents: content)
        let copy = Copy(input: input, output: output, content: content, bufferSize: bufferSize)
        var bench = WorkloadBench(variants: [
            Self.synchronous(copy),
            Self.cp(copy),
            try Self.loop("c", "copy_file loop program (queue depth 1), user mode", copy, example: .copyFile, mode: .user),
            try Self.loop("d", "copy_deep loop program (depth \(depth)), user mode", copy, example: .copyDeep(depth), mode: .user),
        ])
        let kernel = KernelLoopSupport.probe()
        var kernelNote: String?
        if kernel.available {
            do {
                bench.variants.append(try Self.loop("e", "copy_file loop program, kernel mode", copy, example: .copyFile, mode: .kernel))
                bench.variants.append(try Self.loop("f", "copy_deep loop program (depth \(depth)), kernel mode", copy,
                                                    example: .copyDeep(depth), mode: .kernel))
            } catch {
                kernelNote = "kernel mode: setup failed (\(error))"
            }
        } else {
            kernelNote = "kernel mode: unavailable (\(kernel.reason))"
        }
        print("bench copy: a \(size)-byte file in \(bufferSize)-byte reads and writes; every copy compared with the input")
        let result = bench.table(try bench.measure(repetitions: repetitions))
        print("median of \(repetitions) interleaved runs per variant (after a warm-up run)")
        print(result.text)
        if let kernelNote { print(kernelNote) }
        #if DEBUG
        print("note: this is a debug build, whose Swift rows mean little; measure with: swift run -c release uring-bpf bench copy")
        #endif
    }

    /// The copy every variant makes, and the check that it made it.
    struct Copy {
        var input: String
        var output: String
        var content: [UInt8]
        var bufferSize: Int

        func check(_ title: String) throws {
            guard let copied = FileManager.default.contents(atPath: output), copied.elementsEqual(content) else {
                throw BenchFailure("\(title): the copy differs from the input")
            }
            try FileManager.default.removeItem(atPath: output)
        }
    }

    // MARK: Variants

    /// (a) read into one buffer, write it out (all of it), until a read returns 0.
    static func synchronous(_ copy: Copy) -> WorkloadBench.Variant {
        let title = "synchronous read/write loop"
        return WorkloadBench.Variant(label: "a", title: title) {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: copy.bufferSize, alignment: 4096)
            defer { buffer.deallocate() }
            var syscalls = 4
            let start = monotonicNanoseconds()
            let input = open(copy.input, O_RDONLY), output = open(copy.output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard input >= 0, output >= 0 else { throw BenchFailure("\(title): cannot open: \(String(cString: strerror(errno)))") }
            defer { close(input); close(output) }
            while true {
                let n = read(input, buffer, copy.bufferSize)
                syscalls += 1
                guard n >= 0 else { throw BenchFailure("\(title): read: \(String(cString: strerror(errno)))") }
                if n == 0 { break }
                var written = 0
                while written < n {
                    let w = write(output, buffer + written, n - written)
                    syscalls += 1
                    guard w > 0 else { throw BenchFailure("\(title): write: \(String(cString: strerror(errno)))") }
                    written += w
                }
            }
            let elapsed = monotonicNanoseconds() - start
            try copy.check(title)
            return WorkloadBench.Sample(nanoseconds: elapsed, syscalls: syscalls)
        }
    }

    /// (b) `cp IN OUT` as a process (its start-up included).
    static func cp(_ copy: Copy) -> WorkloadBench.Variant {
        let title = "cp as a process"
        return WorkloadBench.Variant(label: "b", title: title) {
            let arguments = ["cp", copy.input, copy.output]
            var argv = arguments.map { strdup($0) } + [nil]
            defer { for p in argv { free(p) } }
            var pid: pid_t = 0
            let start = monotonicNanoseconds()
            let spawned = posix_spawnp(&pid, "cp", nil, nil, &argv, environ)
            guard spawned == 0 else { throw BenchFailure("\(title): cannot start cp: \(String(cString: strerror(spawned)))") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let elapsed = monotonicNanoseconds() - start
            guard status == 0 else { throw BenchFailure("\(title): cp exited with status \(status)") }
            try copy.check(title)
            return WorkloadBench.Sample(nanoseconds: elapsed, syscalls: nil)
        }
    }

    enum Example {
        case copyFile
        case copyDeep(Int)
    }

    /// (c, d, e, f) a copy example in `mode`: one `UringLoop.run()`; the loop (and its verification) is set up
    /// before the clock starts.
    static func loop(_ label: String, _ title: String, _ copy: Copy, example: Example, mode: LoopMode) throws -> WorkloadBench.Variant {
        let object: ObjectFile
        var options: LoopOptions
        var prepare: (UringLoop) throws -> Void
        switch example {
        case .copyFile:
            object = try CopyFile.object()
            options = LoopOptions()
            options.mode = mode
            options.memSize = 4096 + copy.bufferSize
            options.globals = [
                ("in_path_addr", .memAddress(offset: 0)),
                ("out_path_addr", .memAddress(offset: UInt64(copy.input.utf8.count + 1))),
                ("buf_addr", .memAddress(offset: 4096)), ("buf_len", .integer(Int128(copy.bufferSize))),
            ]
            prepare = { try $0.memory!.write(Array(copy.input.utf8) + [0] + Array(copy.output.utf8) + [0], at: 0) }
        case .copyDeep(let depth):
            object = try CopyDeep.object()
            let job = CopyDeepJob(input: copy.input, output: copy.output, depth: depth, bufferLength: copy.bufferSize)
            options = job.options(mode: mode)
            prepare = { try job.prepare($0) }
        }
        _ = try UringLoop(object: object, options: options)  // verified once, and fails here if the mode is unavailable
        options.verify = false
        return WorkloadBench.Variant(label: label, title: title) {
            let loop = try UringLoop(object: object, options: options)
            try prepare(loop)
            let start = monotonicNanoseconds()
            let stats = try loop.run()
            let elapsed = monotonicNanoseconds() - start
            let error = loop.globals.variable(named: "error")?.integer.map { Int64(bitPattern: $0.bitPattern) } ?? 0
            guard error == 0 else { throw BenchFailure("\(title): error \(error)") }
            try copy.check(title)
            return WorkloadBench.Sample(nanoseconds: elapsed, syscalls: stats.syscalls)
        }
    }
}
