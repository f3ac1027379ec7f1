import BPF
@testable import BPFJIT
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where the JIT cannot run, a `ProgramRunner` asked for it interprets and says why; JIT code is never in
/// writable and executable memory at once, and is unmapped with its runner.
@Suite struct JITFallbackTests {
    let program = try! Program(try! Assembler.assemble("mov %r0, %r1\nmul %r0, 3\nexit"))

    /// mmap and mprotect that work, counting the mappings alive.
    final class Mappings: @unchecked Sendable {
        var live: Set<UInt> = []
        let lock = NSLock()
        func system(refuseExecutable: Int32 = 0, refuseMap: Bool = false) -> ExecutableMemory.System {
            ExecutableMemory.System(
                map: { size in
                    guard !refuseMap, let p = ExecutableMemory.System.live.map(size) else { return nil }
                    self.lock.withLock { _ = self.live.insert(UInt(bitPattern: p)) }
                    return p
                },
                protectExecutable: { p, size in
                    refuseExecutable != 0 ? refuseExecutable : ExecutableMemory.System.live.protectExecutable(p, size)
                },
                unmap: { p, size in
                    self.lock.withLock { _ = self.live.remove(UInt(bitPattern: p)) }
                    ExecutableMemory.System.live.unmap(p, size)
                })
        }
    }

    @Test func refusedExecutableMemoryFallsBackToTheInterpreter() throws {
        let mappings = Mappings()
        let runner = ProgramRunner(
            program: program, functions: HostFunctions(), memory: MemoryMap(), engine: .jit,
            system: mappings.system(refuseExecutable: EACCES))
        #expect(runner.engine == .interpreter)
        let reason = try #require(runner.fallbackReason)
        #expect(reason.contains("refused to make JIT code executable (mprotect: Permission denied"))
        #expect(try runner.run(14) == 42)
        #expect(mappings.live.isEmpty, "the refused mapping is unmapped")
    }

    @Test func failedMappingFallsBackToTheInterpreter() throws {
        let runner = ProgramRunner(
            program: program, functions: HostFunctions(), memory: MemoryMap(), engine: .jit,
            system: Mappings().system(refuseMap: true))
        #expect(runner.engine == .interpreter)
        #expect(runner.fallbackReason?.hasPrefix("mmap of 4096 bytes for code failed") == true)
        #expect(try runner.run(2) == 6)
    }

    @Test func theJITRunnerItselfThrows() {
        #expect(throws: JITUnavailable.self) {
            try JITRunner(program: program, functions: HostFunctions(), memory: MemoryMap(),
                          system: Mappings().system(refuseExecutable: EPERM))
        }
    }

    @Test func askingForTheInterpreterIsNoFallback() throws {
        let runner = ProgramRunner(program: program, engine: .interpreter)
        #expect(runner.engine == .interpreter)
        #expect(runner.fallbackReason == nil)
    }

    @Test func codeIsReadExecuteAndUnmappedWithItsRunner() throws {
        let mappings = Mappings()
        var runner: JITRunner? = try JITRunner(
            program: program, functions: HostFunctions(), memory: MemoryMap(), system: mappings.system())
        let address = UInt(bitPattern: runner!.code.base)
        #expect(mappings.live == [address])
        // /proc files report size 0: read to the end rather than by size.
        let maps = String(decoding: try #require(FileHandle(forReadingAtPath: "/proc/self/maps")).readDataToEndOfFile(), as: UTF8.self)
        let line = try #require(maps.split(separator: "\n").first { line in
            let range = line.prefix { $0 != " " }.split(separator: "-").compactMap { UInt($0, radix: 16) }
            return range.count == 2 && range[0] <= address && address < range[1]
        })
        #expect(line.split(separator: " ")[1] == "r-xp", "\(line)")
        #expect(try runner!.run(5) == 15)
        runner = nil
        #expect(mappings.live.isEmpty)
    }

    /// The real thing: a child process that forbids itself executable memory (prctl PR_SET_MDWE with
    /// PR_MDWE_REFUSE_EXEC_GAIN, Linux 6.3+, irreversible, hence a child) gets the interpreter, with the kernel's
    /// reason, from `ProgramRunner` and from `ExecutionEngine.jitUnavailableReason`.
    @Test func kernelRefusalInAChildProcess() throws {
        // popen, not Foundation's Process, whose run() leaks (LeakSanitizer reports it).
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let pipe = try #require(popen("URING_BPF_MDWE_CHILD=1 '\(executable)' --testing-library swift-testing "
            + "--filter underMemoryDenyWriteExecute 2>&1", "r"))
        var text = "", line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), pipe) != nil { text += line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
        let status = pclose(pipe)
        #expect(status == 0, "\(text)")
        #expect(text.contains("underMemoryDenyWriteExecute() passed"), "\(text)")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["URING_BPF_MDWE_CHILD"] != nil, "runs in a child process"))
    func underMemoryDenyWriteExecute() throws {
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        // prctl is variadic, which Swift cannot call: call it through a pointer with the fixed arguments used.
        let prctl = unsafeBitCast(try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl")), to: Prctl.self)
        let PR_SET_MDWE: Int32 = 65, PR_MDWE_REFUSE_EXEC_GAIN: UInt = 1
        try #require(prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) == 0, "prctl(PR_SET_MDWE): errno \(errno)")
        let reason = try #require(ExecutionEngine.jitUnavailableReason)
        #expect(reason.contains("mprotect"))
        let runner = ProgramRunner(program: program, engine: .jit)
        #expect(runner.engine == .interpreter)
        #expect(runner.fallbackReason?.contains("mprotect: Permission denied") == true, "\(runner.fallbackReason ?? "nil")")
        #expect(try runner.run(7) == 21)
    }
}
