#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SystemPackage
import Testing
import UringBPF

/// Runs the `uring-bpf` executable built beside the test bundle, with stdout and stderr captured.
/// (posix_spawn, not Foundation's Process, which needs a socketpair the VM guest's kernel lacks.)
func cli(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("uring-bpf").path
    let outputPath = try temporaryFile()
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_TRUNC, 0)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ([binary] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
    guard spawned == 0 else { throw LoopError(.runFailed, errno: Errno(rawValue: spawned), "posix_spawn \(binary)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    let output = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
    let exited = status & 0x7f == 0
    return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
}

/// A test program written to a temporary file, for `uring-bpf run PATH`.
func programFile(_ name: String) throws -> String {
    try temporaryFile(try LoopTestPrograms.bytes(name), suffix: ".bpf.o")
}

@Suite("The uring-bpf CLI end to end")
struct CLITests {
    @Test func runPrintsTheResultStatisticsAndGlobalsAsJSON() throws {
        let (status, output) = try cli(["run", "nops_seq", "--set", "nr_nops=50", "--json"])
        #expect(status == 0, "\(output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(json["result"] as? Int == 0)
        #expect(json["mode"] as? String == (KernelLoopSupport.probe().available ? "kernel" : "user"))
        let globals = try #require(json["globals"] as? [[String: Any]])
        let completed = globals.first { $0["name"] as? String == "nops_completed" }
        #expect(completed?["value"] as? Int == 50)
        let statistics = try #require(json["statistics"] as? [String: Any])
        #expect(statistics["cqes_produced"] as? Int == 50)
    }

    @Test func traceShowsEachStep() throws {
        let (status, output) = try cli(["run", "nops_seq", "--mode", "user", "--set", "nr_nops=2", "--trace"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("step 0:"))
        #expect(output.contains("sqe       NOP user_data=0x5e9001"))
        #expect(output.contains("reaped    user_data=0x5e9001 res=0"))
        #expect(output.contains("return STOP"))
        #expect(output.contains(".bss nops_completed = 2"))
    }

    @Test func memFilesAndMemPointersWork() throws {
        let content = "read through the CLI\n"
        let file = try temporaryFile(Array(content.utf8))
        let paths = try temporaryFile(Array(file.utf8) + [0])
        let memOut = try temporaryFile()
        defer { for f in [file, paths, memOut] { try? FileManager.default.removeItem(atPath: f) } }
        let (status, output) = try cli([
            "run", "read_open", "--mem-size", "8192", "--mem-file", "0:\(paths)", "--set", "path_addr=@mem",
            "--set", "buf_addr=@mem+4096", "--mem-out", memOut,
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains(".bss buf_addr = @mem+4096"))
        #expect(output.contains(".bss bytes_read = \(content.utf8.count)"))
        let mem = try #require(FileManager.default.contents(atPath: memOut))
        #expect(mem.count == 8192)
        #expect(String(decoding: mem[4096..<(4096 + content.utf8.count)], as: UTF8.self) == content)
    }

    @Test func aBadReturnValueIsReportedAsEINVAL() throws {
        let path = try programFile("bad_return")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try cli(["run", path])
        #expect(status == 1)
        #expect(output.contains("result -EINVAL"), "\(output)")
    }

    @Test func aTimeoutEndsAnEndlessLoop() throws {
        let path = try programFile("endless")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try cli(["run", path, "--set", "mode=1", "--timeout-ms", "100"])
        #expect(status == 1)
        #expect(output.contains("result -ETIME (-62, user mode): the run's timeout elapsed"), "\(output)")
    }

    @Test func anOutOfRegionAccessNamesTheSourceLine() throws {
        let path = try programFile("out_of_bounds")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let line = try LoopTestPrograms.line(of: "OOB-READ", in: "out_of_bounds")
        let (status, output) = try cli(["run", path, "--mode", "user", "--set", "mode=0", "--set", "oob_index=576"])
        #expect(status == 1)
        #expect(output.contains("out-of-bounds 4-byte load"), "\(output)")
        #expect(output.contains("out_of_bounds.bpf.c:\(line):"), "\(output)")
    }

    @Test(.enabled(if: !KernelLoopSupport.probe().available, "the kernel has io_uring_bpf_ops"))
    func kernelModeExplainsWhatIsMissing() throws {
        let (status, output) = try cli(["run", "nops_seq", "--mode", "kernel"])
        #expect(status != 0)
        #expect(output.contains("this kernel has no io_uring_bpf_ops (needs Linux 7.1+)"), "\(output)")
    }

    @Test func badArgumentsGetClearErrors() throws {
        let (status1, output1) = try cli(["run", "nops_seq", "--set", "no_such_global=1"])
        #expect(status1 != 0)
        #expect(output1.contains("no global variable 'no_such_global'"), "\(output1)")
        let (status2, output2) = try cli(["run", "nops_seq", "--set", "nr_nops=@mem"])
        #expect(status2 != 0)
        #expect(output2.contains("needs a MEM region"), "\(output2)")
        let garbage = try temporaryFile(Array("not an ELF file".utf8))
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        let (status3, output3) = try cli(["run", garbage])
        #expect(status3 != 0)
        #expect(!output3.isEmpty)
    }
}
