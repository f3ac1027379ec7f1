#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import UringBPF

@Suite("The userspace loop has the kernel's semantics")
struct LoopSemanticsTests {
    @Test(arguments: loopModes)
    func liburingBpfNops(mode: LoopMode) throws {
        let loop = try userLoop("bpf_nops", mode: mode) { $0.globals = [("reqs_to_run", .integer(1000))] }
        let stats = try loop.run()
        let g = loop.globals
        #expect(g.integer("error") == 0)
        #expect(g.integer("reqs_to_run") == 0)
        #expect(g.integer("reqs_inflight") == 0)
        #expect(g.integer("stat_nr_sqes") == 1000)
        #expect(g.integer("stat_nr_cqes") == 1000)
        #expect(stats.cqesProduced == 1000)
        if mode == .user {
            #expect(stats.sqesSubmitted == 1000)
            // Up to 8 in flight: far fewer steps than NOPs.
            #expect(stats.steps! < 1000)
        } else {
            #expect(stats.syscalls == 1, "the kernel runs the whole loop in one io_uring_enter")
        }
    }

    @Test(arguments: loopModes)
    func badReturnValueIsEINVALAfterOneStep(mode: LoopMode) throws {
        let loop = try userLoop("bad_return", mode: mode)
        #expect(runErrno(loop) == EINVAL)
        #expect(loop.globals.integer("steps") == 1)
        #expect(runErrno(loop) == EINVAL)
        #expect(loop.globals.integer("steps") == 2)
    }

    @Test(arguments: loopModes, [0, 4096])
    func getRegionReturnsNullExactlyWhenTheKernelWould(mode: LoopMode, memSize: Int) throws {
        let cqBytes = LoopTestPrograms.cqRegionBytes(cqEntries: 32)
        let loop = try userLoop("regions", mode: mode) {
            $0.globals = [("cq_region_bytes", .integer(Int128(cqBytes)))]
            $0.memSize = memSize
        }
        _ = try loop.run()
        let g = loop.globals
        #expect(g.integer("steps") == 1)
        #expect(g.integer("unknown_null") == 1)
        #expect(g.integer("cq_exact_null") == 0)
        #expect(g.integer("cq_over_null") == 1)
        #expect(g.integer("sq_null") == 0)
        #expect(g.integer("cq_ring_entries_seen") == 32)
        #expect(g.integer("mem_null") == (memSize == 0 ? 1 : 0))
        #expect(g.integer("mem_written") == (memSize == 0 ? 0 : 1))
        if memSize > 0 {
            let mem = try #require(loop.memory)
            #expect(try mem.bytes(0..<8) == [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
        }
    }

    @Test func sqRewindIsEmulatedWithHeadAndTailAtZero() throws {
        var traces: [LoopStepTrace] = []
        let loop = try userLoop("sq_rewind") { $0.tracer = { traces.append($0) } }
        let stats = try loop.run()
        let g = loop.globals
        #expect(g.integer("error") == 0)
        for k in 1...3 {
            #expect(g.integer("submit_ret_\(k)") == Int64(k + 1))
            #expect(g.integer("sq_head_\(k)") == 0)
            #expect(g.integer("sq_tail_\(k)") == 0)
        }
        #expect(g.integer("cqes_seen") == 9)
        #expect(g.integer("bad_tokens") == 0)
        #expect(stats.sqesSubmitted == 9)
        #expect(stats.cqesProduced == 9)
        // The trace shows the batches the program wrote at SQE indices 0..n-1.
        #expect(traces.flatMap(\.submissions).map(\.entries.count) == [2, 3, 4])
        #expect(traces.flatMap(\.submissions).map(\.result) == [2, 3, 4])
        #expect(traces.flatMap(\.consumed).count == 9)
    }

    @Test(arguments: loopModes)
    func anyThreadCanRunTheLoop(mode: LoopMode) throws {
        let loop = try userLoop("bpf_nops", mode: mode) { $0.globals = [("reqs_to_run", .integer(10))] }
        nonisolated(unsafe) var result: Int32? = -1
        let done = DispatchSemaphore(value: 0)
        Thread {
            result = runErrno(loop)
            done.signal()
        }.start()
        done.wait()
        #expect(result == nil, "a run from a thread other than the creator's works (the loop owns its thread)")
        #expect(runErrno(loop) == nil)
    }

    @Test func aStepBudgetStopsAnEndlessLoop() throws {
        let loop = try userLoop("endless") {
            $0.globals = [("mode", .integer(0))]
            $0.stepBudget = 50
        }
        #expect(throws: LoopError.self) { try loop.run() }
        #expect(loop.globals.integer("steps") == 50)
    }
}
