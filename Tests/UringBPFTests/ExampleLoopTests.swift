#if canImport(Glibc)
import Glibc
#endif
import BPFObject
import Foundation
import Testing
import UringBPF
import UringBPFExamples

/// Loads a bundled example object.
func example(_ name: String) throws -> ObjectFile {
    guard let e = UringBPFExamples.named(name) else { throw LoopError(.badArgument, "no example \(name)") }
    return try ObjectFile(bytes: e.bytes)
}

@Suite("Bundled examples run in user mode")
struct ExampleLoopTests {
    @Test func sequentialNops() throws {
        var options = LoopOptions()
        options.mode = .user
        options.globals = [("nr_nops", .integer(500))]
        let loop = try UringLoop(object: try example("nops_seq"), options: options)
        let stats = try loop.run()
        let g = loop.globals
        #expect(g.integer("error") == 0)
        #expect(g.integer("nops_completed") == 500)
        #expect(g.integer("nops_submitted") == 500)
        #expect(stats.sqesSubmitted == 500)
        #expect(stats.cqesProduced == 500)
        // One dependent NOP per step, one submit syscall per NOP, no sleeping: NOPs complete inline.
        #expect(stats.waits == 0)
        #expect(stats.syscalls == 500)
    }
}

@Suite("Examples and liburing's bpf_cp do real I/O")
struct FileLoopTests {
    func options(_ mode: LoopMode = .user) -> LoopOptions {
        var o = LoopOptions()
        o.mode = mode
        return o
    }

    @Test func nopsAtAQueueDepth() throws {
        var o = options()
        o.sqEntries = 32
        o.cqEntries = 64
        o.globals = [("nr_nops", .integer(1000)), ("queue_depth", .integer(16))]
        let loop = try UringLoop(object: try example("nops_qd"), options: o)
        let stats = try loop.run()
        #expect(loop.globals.integer("error") == 0)
        #expect(loop.globals.integer("nops_completed") == 1000)
        #expect(stats.cqesProduced == 1000)
        #expect(stats.syscalls < 1000 / 4, "batches of up to 16 per submit")
    }

    @Test func readOfOpenPassesTheFdAlong() throws {
        let content = Array("hello from a file read by a BPF loop\n".utf8)
        let path = try temporaryFile(content)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var o = options()
        o.memSize = 8192
        o.globals = [("path_addr", .memAddress(offset: 0)), ("buf_addr", .memAddress(offset: 4096))]
        let loop = try UringLoop(object: try example("read_open"), options: o)
        try #require(loop.memory).write(Array(path.utf8) + [0], at: 0)
        _ = try loop.run()
        let g = loop.globals
        #expect(g.integer("error") == 0)
        #expect(g.integer("bytes_read") == Int64(content.count))
        #expect(g.integer("closed") == 1)
        #expect(try #require(loop.memory).bytes(4096..<(4096 + content.count)) == content)
    }

    @Test func copyFileCopiesAFile() throws {
        let content = testBytes(100_000)
        let input = try temporaryFile(content)
        let output = input + ".copy"
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: output)
        }
        var o = options()
        o.memSize = 16384
        let outOffset = UInt64(input.utf8.count + 1)
        o.globals = [
            ("in_path_addr", .memAddress(offset: 0)), ("out_path_addr", .memAddress(offset: outOffset)),
            ("buf_addr", .memAddress(offset: 4096)), ("buf_len", .integer(8192)),
        ]
        let loop = try UringLoop(object: try example("copy_file"), options: o)
        try #require(loop.memory).write(Array(input.utf8) + [0] + Array(output.utf8) + [0], at: 0)
        _ = try loop.run()
        #expect(loop.globals.integer("error") == 0)
        #expect(loop.globals.integer("bytes_copied") == 100_000)
        #expect(FileManager.default.contents(atPath: output).map([UInt8].init) == content)
    }

    @Test func liburingBpfCp() throws {
        let content = testBytes(10_000, seed: 7)
        let inputPath = try temporaryFile(content)
        let outputPath = try temporaryFile()
        defer {
            try? FileManager.default.removeItem(atPath: inputPath)
            try? FileManager.default.removeItem(atPath: outputPath)
        }
        let input = open(inputPath, O_RDONLY), output = open(outputPath, O_WRONLY)
        defer { close(input); close(output) }
        let loop = try userLoop("bpf_cp") {
            $0.memSize = 4096
            $0.globals = [("buffer_uptr", .memAddress(offset: 0)), ("input_fd", .integer(Int128(input))),
                          ("output_fd", .integer(Int128(output)))]
        }
        _ = try loop.run()
        let g = loop.globals
        #expect(g.integer("cp_result") == 0)
        #expect(g.integer("cur_offset") == 10_000)
        #expect(g.integer("nr_writes") == 3)
        #expect(g.integer("nr_reads") == 4)
        #expect(FileManager.default.contents(atPath: outputPath).map([UInt8].init) == content)
    }

    @Test func liburingBpfCpReportsABadToken() throws {
        nonisolated(unsafe) var lines: [String] = []
        let inputPath = try temporaryFile(testBytes(100))
        defer { try? FileManager.default.removeItem(atPath: inputPath) }
        let input = open(inputPath, O_RDONLY)
        defer { close(input) }
        let loop = try userLoop("bpf_cp") {
            $0.memSize = 4096
            $0.globals = [("buffer_uptr", .memAddress(offset: 0)), ("bad_token", .integer(3)),
                          ("input_fd", .integer(Int128(input)))]
            $0.printk = { lines.append($0) }
        }
        _ = try loop.run()
        #expect(loop.globals.integer("cp_result") == -22)
        #expect(lines == ["invalid token 3\n"])
    }
}

@Suite("Loop steps written in Swift")
struct SwiftLoopTests {
    @Test func sequentialNopsInSwift() throws {
        var options = LoopOptions()
        options.mode = .user
        let total = 300
        var completed = 0
        var submitted = 0
        let loop = try UringLoop(options: options) { ctx in
            guard let sq = ctx.region(.sq, size: 64), let cq = ctx.region(.cq, size: 64 + 16 * 32) else { return .other(-1) }
            let head = cq.load(fromByteOffset: 8, as: UInt32.self)
            let tail = cq.load(fromByteOffset: 12, as: UInt32.self)
            if head != tail {
                let userData = cq.load(fromByteOffset: 64 + Int(head & 31) * 16, as: UInt64.self)
                guard userData == 0x5157 else { return .other(-2) }
                cq.storeBytes(of: head &+ 1, toByteOffset: 8, as: UInt32.self)
                completed += 1
            }
            if completed == total { return .stop }
            if submitted == completed {
                sq.initializeMemory(as: UInt8.self, repeating: 0)
                sq.storeBytes(of: 0x5157 as UInt64, toByteOffset: 32, as: UInt64.self)
                guard ctx.submit(1) == 1 else { return .other(-3) }
                submitted += 1
            }
            ctx.cqWaitIndex = cq.load(fromByteOffset: 8, as: UInt32.self) &+ 1
            return .continue
        }
        let stats = try loop.run()
        #expect(completed == total)
        #expect(stats.sqesSubmitted == total)
        #expect(stats.cqesProduced == total)
        #expect(loop.globals.all.isEmpty)
    }

    @Test func aSwiftStepReturningAnInvalidValueIsEINVAL() throws {
        let loop = try UringLoop(options: LoopOptions()) { _ in .other(7) }
        #expect(runErrno(loop) == EINVAL)
    }
}
