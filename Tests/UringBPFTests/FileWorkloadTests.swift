#if canImport(Glibc)
import Glibc
#endif
import BPFJIT
import Foundation
import Testing
import UringBPF
import UringBPFExamples

/// Where the file workloads run: user mode on both engines, and kernel mode where the kernel has io_uring_bpf_ops.
let fileWorkloadRunners: [String] = loopModes.flatMap { $0 == .user ? ["user-jit", "user-interpreter"] : ["kernel"] }

/// Options for `runner` ("user-jit", "user-interpreter", "kernel").
func apply(_ runner: String, to options: inout LoopOptions) {
    options.mode = runner == "kernel" ? .kernel : .user
    options.engine = runner == "user-interpreter" ? .interpreter : .jit
}

/// Paths of this process's open file descriptors that lie under `directory` (/proc/self/fd): what a program left
/// open there. Other tests' descriptors, opened meanwhile, are elsewhere.
func openDescriptors(under directory: String) -> [String] {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
        .filter { $0 == directory || $0.hasPrefix(directory + "/") }
}

@Suite("slurp reads many files, up to depth at a time")
struct SlurpTests {
    /// Files of sizes around the buffer length (a file that fills it is read on), one empty; with their checksum.
    static func files(in directory: String, count: Int) throws -> (paths: [String], bytes: UInt64, checksum: UInt64) {
        var paths: [String] = [], bytes: UInt64 = 0, checksum: UInt64 = 0
        for i in 0..<count {
            let content = testBytes([0, 1, 7, 8, 1023, 1024, 1025, 3000][i % 8], seed: UInt64(i + 1))
            let path = directory + "/f\(i)"
            try Data(content).write(to: URL(fileURLWithPath: path))
            paths.append(path)
            bytes += UInt64(content.count)
            checksum &+= content.withUnsafeBytes { SlurpJob.checksum($0) }
        }
        return (paths, bytes, checksum)
    }

    func run(_ job: SlurpJob, _ runner: String, verify: Bool = true) throws -> (SlurpJob.Outcome, LoopStatistics) {
        var options = job.options(mode: .user)
        apply(runner, to: &options)
        // Verification at load is what a user gets; the error-path tests skip it (the program is the same, and
        // verifying it in a debug build under the VM's emulation takes seconds).
        options.verify = verify
        let loop = try UringLoop(object: try Slurp.object(), options: options)
        try job.prepare(loop)
        let statistics = try loop.run()
        return (try SlurpJob.outcome(of: loop), statistics)
    }

    @Test("every file read, the checksum the files', no descriptor left open", arguments: fileWorkloadRunners)
    func readsEveryFile(_ runner: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try Self.files(in: directory, count: 40)
        let job = SlurpJob(paths: files.paths, depth: 6, bufferLength: 1024)
        let (outcome, statistics) = try run(job, runner)
        #expect(outcome == SlurpJob.Outcome(files: 40, bytes: files.bytes, checksum: files.checksum, errors: 0, error: 0))
        // Per file an open, a close and its reads: 1024-byte reads until one comes back short, so two for 1024 and
        // 1025 bytes, three for 3000: 12 reads per 8 files.
        #expect(statistics.cqesProduced == 40 * 2 + 60)
        #expect(openDescriptors(under: directory).isEmpty)
    }

    @Test("a file that cannot be opened is counted, the others are read", arguments: fileWorkloadRunners)
    func missingFile(_ runner: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var files = try Self.files(in: directory, count: 9)
        files.paths.insert(directory + "/missing", at: 4)
        let (outcome, _) = try run(SlurpJob(paths: files.paths, depth: 4, bufferLength: 1024), runner, verify: false)
        #expect(outcome == SlurpJob.Outcome(files: 9, bytes: files.bytes, checksum: files.checksum, errors: 1, error: -ENOENT))
        #expect(openDescriptors(under: directory).isEmpty)
    }

    @Test("a read that fails (a directory: EISDIR) is counted and its file closed", arguments: fileWorkloadRunners)
    func readError(_ runner: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var files = try Self.files(in: directory, count: 5)
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: false)
        files.paths.append(directory + "/sub")
        let (outcome, _) = try run(SlurpJob(paths: files.paths, depth: 2, bufferLength: 1024), runner, verify: false)
        // The directory was opened and closed: it counts as done, with its failed read counted as an error.
        #expect(outcome == SlurpJob.Outcome(files: 6, bytes: files.bytes, checksum: files.checksum, errors: 1, error: -EISDIR))
        #expect(openDescriptors(under: directory).isEmpty)
    }
}

@Suite("copy_deep copies with depth reads and writes in flight")
struct CopyDeepTests {
    func run(_ job: CopyDeepJob, _ runner: String, verify: Bool = true) throws -> CopyDeepJob.Outcome {
        var options = job.options(mode: .user)
        apply(runner, to: &options)
        options.verify = verify  // see SlurpTests.run
        let loop = try UringLoop(object: try CopyDeep.object(), options: options)
        try job.prepare(loop)
        _ = try loop.run()
        #expect(try loop.globals.value(CopyDeep.Globals.in_fd) == -1)
        #expect(try loop.globals.value(CopyDeep.Globals.out_fd) == -1)
        return try CopyDeepJob.outcome(of: loop)
    }

    @Test("the copy equals the input (not a multiple of the buffer), no descriptor left open", arguments: fileWorkloadRunners)
    func copies(_ runner: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let content = testBytes(100_017, seed: 11)
        try Data(content).write(to: URL(fileURLWithPath: directory + "/in"))
        let job = CopyDeepJob(input: directory + "/in", output: directory + "/out", depth: 5, bufferLength: 4096)
        let outcome = try run(job, runner)
        #expect(outcome.error == 0 && outcome.errors == 0)
        #expect(outcome.bytes == 100_017)
        #expect(outcome.writes == 25)  // 24 full ranges and the last 1,713 bytes
        #expect(FileManager.default.contents(atPath: directory + "/out").map([UInt8].init) == content)
        #expect(openDescriptors(under: directory).isEmpty)
    }

    @Test("a missing input: ENOENT, no output created", arguments: fileWorkloadRunners)
    func missingInput(_ runner: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let job = CopyDeepJob(input: directory + "/missing", output: directory + "/out", depth: 3, bufferLength: 4096)
        let outcome = try run(job, runner, verify: false)
        #expect(outcome == CopyDeepJob.Outcome(bytes: 0, reads: 0, writes: 0, errors: 1, error: -ENOENT))
        #expect(!FileManager.default.fileExists(atPath: directory + "/out"))
    }

    @Test("a failing read (a directory: EISDIR) and a failing write (/dev/full: ENOSPC) close both files",
          arguments: fileWorkloadRunners)
    func readAndWriteErrors(_ runner: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let job = CopyDeepJob(input: directory, output: directory + "/out", depth: 3, bufferLength: 4096)
        let readFailure = try run(job, runner, verify: false)
        #expect(readFailure.error == -EISDIR)
        #expect(readFailure.errors == 3)  // each slot's first read
        #expect(readFailure.writes == 0)

        try Data(testBytes(20_000)).write(to: URL(fileURLWithPath: directory + "/in"))
        let full = CopyDeepJob(input: directory + "/in", output: "/dev/full", depth: 3, bufferLength: 4096)
        let writeFailure = try run(full, runner, verify: false)
        #expect(writeFailure.error == -ENOSPC)
        #expect(writeFailure.errors >= 1)
        #expect(writeFailure.bytes == 0)
        #expect(openDescriptors(under: directory).isEmpty)
    }
}
