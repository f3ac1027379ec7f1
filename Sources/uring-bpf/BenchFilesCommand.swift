import ArgumentParser
import BPFJIT
import BPFObject
import Foundation
import SystemPackage
import Uring
import UringBPF
import UringBPFExamples

/// `uring-bpf bench files`: read many small files, side by side: a synchronous loop, io_uring driven by the
/// application, and the `slurp` loop program (user mode on both engines; kernel mode where the kernel has it).
///
/// Every variant reads every file with the same buffer size and checks the bytes and the checksum
/// (``SlurpJob/checksum(_:)``) against what was written, before its time counts.
struct BenchFilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Read many small files: synchronous open/read/close vs io_uring from the application vs the slurp loop program."
    )

    @Option(help: "Files to read.")
    var files: Int = 10_000

    @Option(help: "Bytes per file.")
    var size: Int = 4096

    @Option(help: "Files in flight (io_uring variants), 1...128.")
    var depth: Int = 32

    @Option(help: "Measured runs per variant (after one warm-up run each); the median counts.")
    var repetitions: Int = 5

    @Option(help: "Measured runs per variant with a cold page cache (0: none).")
    var coldRepetitions: Int = 3

    @Option(help: "Run only these rows, by label (e.g. --only b,c), as for a profiler; (a) always runs.")
    var only: String?

    func validate() throws {
        guard (1...1_000_000).contains(files) else { throw ValidationError("--files must be 1...1000000") }
        guard (0...(16 << 20)).contains(size) else { throw ValidationError("--size must be 0...\(16 << 20)") }
        guard (1...128).contains(depth) else { throw ValidationError("--depth must be 1...128") }
        guard repetitions > 0, coldRepetitions >= 0 else {
            throw ValidationError("--repetitions must be at least 1, --cold-repetitions at least 0")
        }
    }

    func run() throws {
        let directory = NSTemporaryDirectory() + "uring-bpf-bench-files-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let set = try FileSet(directory: directory, files: files, size: size)
        // A read that comes back short ends a file, so a buffer larger than the file reads it in one.
        let job = SlurpJob(paths: set.paths, depth: depth, bufferLength: (size / 4096 + 1) * 4096)
        var bench = WorkloadBench(variants: [
            Self.synchronous(set, job),
            Self.applicationUring(set, job),
            try Self.slurp("c", "slurp loop program, user mode, JIT", set, job, mode: .user, engine: .jit),
            try Self.slurp("d", "slurp loop program, user mode, interpreter", set, job, mode: .user, engine: .interpreter),
        ])
        let kernel = KernelLoopSupport.probe()
        var kernelNote: String?
        if let only, !only.split(separator: ",").contains("e") {
            // Not asked for.
        } else if kernel.available {
            do {
                bench.variants.append(try Self.slurp("e", "slurp loop program, kernel mode", set, job, mode: .kernel))
            } catch {
                kernelNote = "kernel mode: setup failed (\(error))"
            }
        } else {
            kernelNote = "kernel mode: unavailable (\(kernel.reason))"
        }
        if let only {
            let wanted = Set(only.split(separator: ",").map(String.init) + ["a"])
            let labels = Set(bench.variants.map(\.label) + ["e"])
            if let unknown = wanted.subtracting(labels).sorted().first {
                throw ValidationError("--only: no row \(unknown) (rows: \(labels.sorted().joined(separator: ", ")))")
            }
            bench.variants.removeAll { !wanted.contains($0.label) }
        }
        print("bench files: \(files) files of \(size) bytes, \(depth) in flight, \(job.bufferLength)-byte reads; "
              + "every run read \(set.bytes) bytes with checksum 0x\(String(set.checksum, radix: 16))")
        let warm = bench.table(try bench.measure(repetitions: repetitions))
        print("page cache warm: median of \(repetitions) interleaved runs per variant (after a warm-up run)")
        print(warm.text)
        if let kernelNote { print(kernelNote) }
        Self.printTargets(bench, warm.medians)

        guard coldRepetitions > 0 else { return }
        if let why = pageCacheDropUnavailableReason() {
            print("page cache cold: not measured (\(why))")
            return
        }
        let cold = bench.table(try bench.measure(repetitions: coldRepetitions, warmUp: false, beforeEach: dropPageCache))
        print("page cache cold (dropped before every run): median of \(coldRepetitions) interleaved runs per variant")
        print(cold.text)
        Self.printTargets(bench, cold.medians)
        #if DEBUG
        print("note: this is a debug build, whose Swift rows mean little; measure with: swift run -c release uring-bpf bench files")
        #endif
    }

    /// The issue's targets: user mode (JIT) within 1.2× of application-driven io_uring, kernel mode ahead of it.
    static func printTargets(_ bench: WorkloadBench, _ medians: [Double]) {
        func median(_ label: String) -> Double? { bench.variants.firstIndex { $0.label == label }.map { medians[$0] } }
        guard let uring = median("b") else { return }
        var verdicts: [String] = []
        if let jit = median("c") {
            verdicts.append("(c)/(b) = \(String(format: "%.2f", jit / uring)) (target ≤ 1.2: \(jit <= 1.2 * uring ? "met" : "MISSED"))")
        }
        if let kernel = median("e") {
            verdicts.append("(e)/(b) = \(String(format: "%.2f", kernel / uring)) (target < 1: \(kernel < uring ? "met" : "MISSED"))")
        }
        print("targets: " + verdicts.joined(separator: "; "))
    }

    // MARK: The files

    /// N files of S bytes in a directory, with what reading them all must give.
    struct FileSet {
        var paths: [String]
        var bytes: UInt64
        var checksum: UInt64

        init(directory: String, files: Int, size: Int) throws {
            paths = (0..<files).map { String(format: "%@/%07d", directory, $0) }
            bytes = UInt64(files) * UInt64(size)
            checksum = 0
            var content = [UInt8](repeating: 0, count: size)
            for (i, path) in paths.enumerated() {
                var state = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 | 1
                for k in content.indices {
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    content[k] = UInt8(truncatingIfNeeded: state)
                }
                checksum &+= content.withUnsafeBytes { SlurpJob.checksum($0) }
                try RegularFile.create(path, contents: content)
            }
        }

        /// Throws unless a run read what the files hold.
        func check(_ title: String, files: Int, bytes: UInt64, checksum: UInt64, errors: Int) throws {
            guard files == paths.count, bytes == self.bytes, checksum == self.checksum, errors == 0 else {
                throw BenchFailure("\(title): read \(files) files, \(bytes) bytes, checksum 0x\(String(checksum, radix: 16)), "
                    + "\(errors) errors; expected \(paths.count) files, \(self.bytes) bytes, checksum 0x\(String(self.checksum, radix: 16))")
            }
        }
    }

    // MARK: Variants

    /// (a) open, read until a read comes back short, close: one file after the other.
    static func synchronous(_ set: FileSet, _ job: SlurpJob) -> WorkloadBench.Variant {
        let title = "synchronous open/read/close"
        return WorkloadBench.Variant(label: "a", title: title) {
            let table = job.pathTable, stride = job.pathStride, length = job.bufferLength
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 4096)
            defer { buffer.deallocate() }
            var syscalls = 0, done = 0, errors = 0, bytes: UInt64 = 0, checksum: UInt64 = 0
            let start = monotonicNanoseconds()
            table.withUnsafeBytes { paths in
                for i in 0..<set.paths.count {
                    let fd = open(paths.baseAddress!.advanced(by: i * stride).assumingMemoryBound(to: CChar.self), O_RDONLY)
                    syscalls += 1
                    guard fd >= 0 else { errors += 1; continue }
                    while true {
                        let n = read(fd, buffer, length)
                        syscalls += 1
                        guard n >= 0 else { errors += 1; break }
                        bytes += UInt64(n)
                        checksum &+= SlurpJob.checksum(UnsafeRawBufferPointer(start: buffer, count: n))
                        if n < length { break }
                    }
                    if close(fd) == 0 { done += 1 } else { errors += 1 }
                    syscalls += 1
                }
            }
            let elapsed = monotonicNanoseconds() - start
            try set.check(title, files: done, bytes: bytes, checksum: checksum, errors: errors)
            return WorkloadBench.Sample(nanoseconds: elapsed, syscalls: syscalls)
        }
    }

    /// (b) slurp's algorithm driven by the application: `depth` files in flight, each CQE answered with the file's
    /// next request (the fd from the open's CQE), one `io_uring_enter` per batch that also waits for a completion.
    static func applicationUring(_ set: FileSet, _ job: SlurpJob) -> WorkloadBench.Variant {
        let title = "io_uring from the application (no BPF)"
        return WorkloadBench.Variant(label: "b", title: title) {
            let table = job.pathTable, stride = job.pathStride, length = job.bufferLength, depth = job.depth
            let options = job.options(mode: .user)
            var ring = try IoUring(entries: options.sqEntries, flags: [.singleIssuer, .deferTaskrun],
                                   cqEntries: options.cqEntries)
            let buffers = UnsafeMutableRawPointer.allocate(byteCount: depth * length, alignment: 4096)
            defer { buffers.deallocate() }
            let cqes = UnsafeMutableBufferPointer<CompletionQueueEntry>.allocate(capacity: Int(options.cqEntries))
            defer { cqes.deallocate() }
            var fds = [Int32](repeating: -1, count: depth), positions = [UInt64](repeating: 0, count: depth)
            var syscalls = 0, done = 0, errors = 0, bytes: UInt64 = 0, checksum: UInt64 = 0
            var next = 0, active = 0
            let start = monotonicNanoseconds()
            try table.withUnsafeBytes { paths throws in
                // user_data: operation << 32 | slot, as slurp's.
                func openNext(_ slot: Int) throws(UringError) {
                    guard next < set.paths.count else { active -= 1; return }
                    let path = paths.baseAddress!.advanced(by: next * stride).assumingMemoryBound(to: CChar.self)
                    next += 1
                    try ring.push(OpenAt(path: path, flags: O_RDONLY).build().withUserData(1 << 32 | UInt64(slot)))
                }
                func readNext(_ slot: Int) throws(UringError) {
                    try ring.push(Read(file: .fd(FileDescriptor(rawValue: fds[slot])), buffer: buffers + slot * length,
                                       length: UInt32(length), offset: positions[slot]).build()
                        .withUserData(2 << 32 | UInt64(slot)))
                }
                func closeFile(_ slot: Int) throws(UringError) {
                    try ring.push(Close(file: .fd(FileDescriptor(rawValue: fds[slot]))).build()
                        .withUserData(3 << 32 | UInt64(slot)))
                }
                for slot in 0..<depth {
                    active += 1
                    try openNext(slot)
                }
                while active > 0 {
                    try ring.submitAndWait(1)
                    syscalls += 1
                    let count = try ring.copyCompletions(into: cqes)
                    for cqe in cqes[0..<count] {
                        let slot = Int(truncatingIfNeeded: cqe.userData & 0xffff_ffff), res = cqe.result
                        switch cqe.userData >> 32 {
                        case 1:
                            if res < 0 { errors += 1; try openNext(slot); continue }
                            fds[slot] = res
                            positions[slot] = 0
                            try readNext(slot)
                        case 2:
                            if res < 0 { errors += 1; try closeFile(slot); continue }
                            bytes += UInt64(res)
                            positions[slot] += UInt64(res)
                            checksum &+= SlurpJob.checksum(UnsafeRawBufferPointer(start: buffers + slot * length, count: Int(res)))
                            if Int(res) == length { try readNext(slot) } else { try closeFile(slot) }
                        default:
                            if res < 0 { errors += 1 } else { done += 1 }
                            try openNext(slot)
                        }
                    }
                }
            }
            let elapsed = monotonicNanoseconds() - start
            try set.check(title, files: done, bytes: bytes, checksum: checksum, errors: errors)
            return WorkloadBench.Sample(nanoseconds: elapsed, syscalls: syscalls)
        }
    }

    /// (c, d, e) the slurp example in `mode`: one `UringLoop.run()`; the loop (and its verification) is set up
    /// before the clock starts.
    static func slurp(_ label: String, _ title: String, _ set: FileSet, _ job: SlurpJob, mode: LoopMode,
                      engine: ExecutionEngine = .default) throws -> WorkloadBench.Variant {
        let object = try Slurp.object()
        var options = job.options(mode: mode)
        options.engine = engine
        _ = try UringLoop(object: object, options: options)  // verified once, and fails here if the mode is unavailable
        options.verify = false
        return WorkloadBench.Variant(label: label, title: title) {
            let loop = try UringLoop(object: object, options: options)
            try job.prepare(loop)
            let start = monotonicNanoseconds()
            let stats = try loop.run()
            let elapsed = monotonicNanoseconds() - start
            let outcome = try SlurpJob.outcome(of: loop)
            try set.check(title, files: outcome.files, bytes: outcome.bytes, checksum: outcome.checksum,
                          errors: outcome.errors)
            return WorkloadBench.Sample(nanoseconds: elapsed, syscalls: stats.syscalls)
        }
    }
}
