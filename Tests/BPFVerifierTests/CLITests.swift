#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `uring-bpf verify`: exit 0 accepted, 2 rejected, the reason and the source line printed.
@Suite struct VerifyCommandTests {
    /// Runs the `uring-bpf` executable built beside the test bundle (posix_spawn: the VM guest has no socketpair
    /// for Foundation's Process), returning its exit status and output.
    static func cli(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("uring-bpf").path
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
        try #require(spawned == 0, "posix_spawn \(binary): \(spawned)")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let output = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        return (status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    @Test func acceptedExampleExitsZero() throws {
        let (status, output) = try Self.cli(["verify", "copy_file"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("copy_file_step: accepted (processed"))
    }

    @Test func rejectedObjectExitsTwoWithReasonAndSourceLine() throws {
        let built = try #require(BuiltBPFObjects.all.first { $0.name == "uringbpf_not_sleepable" })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(getpid())-not_sleepable.bpf.o").path
        try Data(built.bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try Self.cli(["verify", path])
        #expect(status == 2, "\(output)")
        #expect(output.contains("not_sleepable_step: REJECTED with EACCES"))
        #expect(output.contains("only sleepable programs"))
        #expect(output.contains("not_sleepable.bpf.c:"))
        #expect(output.contains("bpf_io_uring_submit_sqes(ctx, 1)"))
    }

    @Test func unknownProgramIsAUsageError() throws {
        let (status, output) = try Self.cli(["verify", "copy_file", "--program", "nope"])
        #expect(status != 0 && status != 2, "\(output)")
        #expect(output.contains("no program 'nope'"))
    }
}
