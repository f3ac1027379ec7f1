import Foundation
import Testing
import UringBPF

@Suite("Loop programs reach only their own memory")
struct LoopSafetyTests {
    /// R: the CQ region size out_of_bounds.bpf.c asks get_region for (64 + 16·cq_entries).
    let requested = 64 + 16 * 32

    /// Runs out_of_bounds.bpf.c, which Linux's verifier refuses (an unbounded index on a region pointer), with the
    /// load-time verification off, so the engine's run-time checks are what stops it.
    func fault(mode: Int, index: Int) throws -> (LoopError, UringLoop)? {
        let loop = try userLoop("out_of_bounds") {
            $0.verify = false
            $0.globals = [("mode", .integer(Int128(mode))), ("oob_index", .integer(Int128(truncatingIfNeeded: index)))]
        }
        do {
            _ = try loop.run()
            return nil
        } catch {
            return (error, loop)
        }
    }

    @Test(arguments: [(0, "OOB-READ", "load"), (1, "OOB-WRITE", "store")])
    func accessPastTheRequestedRegionSizeIsRefused(mode: Int, marker: String, kind: String) throws {
        let (error, loop) = try #require(try fault(mode: mode, index: requested))
        let line = try LoopTestPrograms.line(of: marker, in: "out_of_bounds")
        #expect(error.kind == .programFault, "expected a program fault, got \(error)")
        let message = error.message
        let fault = try #require(error.fault)
        #expect(fault.location?.line == line)
        #expect(fault.address != nil)
        #expect(message.contains("out-of-bounds 4-byte \(kind) at"))
        #expect(message.contains("out_of_bounds.bpf.c:\(line):"), "names the source line: \(message)")
        #expect(message.contains("CQ region"), "names the nearest region: \(message)")
        #expect(loop.globals.integer("done") == 0)
        #expect(loop.globals.integer("steps") == 1)
    }

    @Test func accessesStraddlingTheEndOrWrappingAroundAreRefused() throws {
        #expect(try fault(mode: 0, index: requested - 2) != nil)
        #expect(try fault(mode: 0, index: -8) != nil)
    }

    @Test func aWildPointerStoreIsRefusedAndHostMemoryIsUntouched() throws {
        let (error, _) = try #require(try fault(mode: 2, index: 0))
        let line = try LoopTestPrograms.line(of: "WILD-WRITE", in: "out_of_bounds")
        #expect("\(error)".contains("out-of-bounds 8-byte store at 0x7fff00000000"))
        #expect("\(error)".contains(":\(line):"))
    }

    @Test func accessesInsideTheRegionWork() throws {
        #expect(try fault(mode: 0, index: 28) == nil)
        #expect(try fault(mode: 1, index: requested - 4) == nil)
    }

    @Test(arguments: loopModes)
    func aProgramThatIsNotSleepableCannotSubmit(mode: LoopMode) throws {
        #expect {
            _ = try userLoop("not_sleepable", mode: mode)
        } throws: { error in
            let text = "\(error)"
            return text.contains("must be sleepable") && text.contains("bpf_io_uring_submit_sqes")
        }
    }

    @Test(.enabled(if: !KernelLoopSupport.probe().available, "this kernel has io_uring_bpf_ops"))
    func kernelModeNeedsAKernelWithTheStructOps() throws {
        let support = KernelLoopSupport.probe()
        #expect(support.reason == "this kernel has no io_uring_bpf_ops (needs Linux 7.1+)")
        #expect {
            _ = try userLoop("bpf_nops") { $0.mode = .kernel }
        } throws: { error in
            (error as? LoopError)?.message == "this kernel has no io_uring_bpf_ops (needs Linux 7.1+)"
        }
        // auto falls back to user mode.
        let loop = try userLoop("bpf_nops") { $0.mode = .auto }
        #expect(loop.mode == .user)
    }
}

@Suite("Base helpers behave as in the kernel")
struct LoopHelperTests {
    @Test(arguments: loopModes)
    func mapsAndHelpers(mode: LoopMode) throws {
        let loop = try userLoop("maps", mode: mode)
        _ = try loop.run()
        let g = try #require(loop.globals)
        let expected: [String: Int64] = [
            "arr_lookup2_null": 0, "arr_initial": 0, "arr_update_ret": 0, "arr_value1": 111,
            "arr_value1_after_inc": 112, "arr_lookup4_null": 1, "arr_update_oob_ret": -7, "arr_noexist_ret": -17,
            "arr_delete_ret": -22, "hash_missing_null": 1, "hash_exist_missing_ret": -2, "hash_insert_ret": 0,
            "hash_insert_again_ret": -17, "hash_replace_ret": 0, "hash_value5": 555, "hash_delete_ret": 0,
            "hash_delete_again_ret": -2, "hash_deleted_null": 1, "hash_fill_ok": 8, "hash_full_ret": -7,
            "hash_update_full_ret": 0, "hash_value100": 1000, "hash_lookup108_null": 1,
            "ktime_nonzero": 1, "ktime_monotonic": 1, "loop_ret": 10, "loop_sum": 55, "steps": 1, "done": 1,
        ]
        for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(g.integer(name) == value, "\(name)")
        }
        #expect(try #require(g.integer("cpu_id")) < Int64(ProcessInfo.processInfo.activeProcessorCount + 64))
    }

    @Test func printkFormatsIntoTheTraceOutput() throws {
        nonisolated(unsafe) var lines: [String] = []
        let loop = try userLoop("printk") { $0.printk = { lines.append($0) } }
        _ = try loop.run()
        #expect(lines == ["step 1 token feedbeefcafe name uring-bpf"])
        #expect(loop.globals.integer("printk_ret") == 40)
    }

    @Test func aProgramTheKernelRefusesIsRefusedAtLoadWithItsSourceLine() throws {
        let line = try LoopTestPrograms.line(of: "OOB-READ", in: "out_of_bounds")
        #expect {
            _ = try userLoop("out_of_bounds") { $0.globals = [("mode", .integer(0))] }
        } throws: { error in
            guard let error = error as? LoopError else { return false }
            #expect(error.kind == .loadFailed)
            #expect(error.errno == .invalidArgument, "the kernel's errno for this rule")
            #expect(error.message.contains("math between mem pointer and register with unbounded min value"), "\(error.message)")
            #expect(error.fault?.location?.file.hasSuffix("out_of_bounds.bpf.c") == true)
            #expect(error.message.contains("out_of_bounds.bpf.c:"), "\(error.message)")
            _ = line
            return true
        }
    }
}
