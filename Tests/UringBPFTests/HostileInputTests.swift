import Foundation
import Testing
import UringBPF

/// Numbers from outside that do not fit — a helper's size of 2^63, a map of 32 GiB, a MEM size or offset near
/// `Int.max` — end in a specific error, never in a crash of the host; and stores the engine stops say what is wrong.
@Suite("Hostile numbers and stray stores get clear errors")
struct HostileInputTests {
    /// Runs huge_sizes.bpf.c (which the kernel's verifier refuses) in user mode without load-time verification.
    func hugeSizes(mode: Int, size: UInt64 = 1 << 63) throws -> (Result<LoopStatistics, LoopError>, UringLoop) {
        let loop = try userLoop("huge_sizes") {
            $0.verify = false
            $0.printk = { _ in }
            $0.globals = [("mode", .integer(Int128(mode))), ("size", .integer(Int128(size)))]
        }
        do { return (.success(try loop.run()), loop) } catch { return (.failure(error), loop) }
    }

    @Test("a printk format of 2^63 bytes or more is a fault at its source line",
          arguments: [(0, "PRINTK", "bpf_trace_printk"), (1, "VPRINTK-FORMAT", "bpf_trace_vprintk")])
    func hugeFormatSize(mode: Int, marker: String, helper: String) throws {
        for size: UInt64 in [1 << 63, .max] {
            let (result, loop) = try hugeSizes(mode: mode, size: size)
            guard case .failure(let error) = result else {
                Issue.record("the run succeeded")
                continue
            }
            #expect(error.kind == .programFault, "\(error)")
            #expect(error.errno == .badAddress)
            #expect(error.message.contains("\(helper)'s format (\(size) bytes at 0x"), "\(error.message)")
            #expect(error.fault?.location?.line == (try LoopTestPrograms.line(of: marker, in: "huge_sizes")))
            #expect(loop.globals.integer("done") == 0)
        }
    }

    @Test func aHugeVprintkDataLengthIsEINVALAsInTheKernel() throws {
        let (result, loop) = try hugeSizes(mode: 2)
        #expect(throws: Never.self) { try result.get() }
        #expect(loop.globals.integer("data_ret") == -22)
        #expect(loop.globals.integer("done") == 1)
    }

    @Test func theControlRunPrints() throws {
        let (result, loop) = try hugeSizes(mode: 0, size: 5)
        #expect(throws: Never.self) { try result.get() }
        #expect(loop.globals.integer("printk_ret") == 3)
    }

    @Test("an array map of 0xffffffff entries is refused at load with ENOMEM, naming it")
    func hugeArrayMap() throws {
        #expect {
            _ = try userLoop("huge_array_map")
        } throws: { error in
            guard let error = error as? LoopError else { return false }
            #expect(error.kind == .loadFailed)
            #expect(error.errno == .noMemory)
            #expect(error.message.contains("map huge (array): 4294967295 values of 8 bytes exceed the 268435456-byte limit"),
                    "\(error.message)")
            return true
        }
    }

    @Test("--mem-size and --mem-file offsets near Int.max: an error, exit status < 128")
    func hugeMemOptions() throws {
        let file = try temporaryFile(Array("hi\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let cases: [([String], String)] = [
            (["--mem-size", "9223372036854775807"],
             "REGISTER_MEM_REGION, 9223372036854775807 bytes) failed: ENOMEM — 9223372036854775807 bytes do not round up to whole pages"),
            (["--mem-size", "9223372036854771712"], "failed: ENOMEM"),
            (["--mem-size", "4096", "--mem-file", "9223372036854775807:\(file)"],
             "--mem-file 9223372036854775807:\(file): 3 bytes at offset 9223372036854775807 do not fit the 4096-byte MEM region"),
            (["--mem-size", "4096", "--mem-file", "0x7fffffffffffffff:\(file)"], "do not fit the 4096-byte MEM region"),
            (["--mem-size", "4096", "--mem-file", "0x8000000000000000:\(file)"],
             "OFFSET must be a non-negative decimal or 0x hex number"),
            (["--mem-size", "4096", "--set", "nr_nops=@mem+18446744073709551615"], "is past the 4096-byte MEM region"),
        ]
        for (options, message) in cases {
            let (status, output) = try cli(["run", "nops_seq", "--mode", "user"] + options)
            #expect(status == 64, "\(options): \(output)")
            #expect(output.contains(message), "\(options): \(output)")
        }
    }

    @Test("--timeout-ms and bench vm --milliseconds beyond a year are refused, not overflowed")
    func hugeTimes() throws {
        let cases: [([String], String)] = [
            (["run", "nops_seq", "--timeout-ms", "9223372036854775807"],
             "--timeout-ms 9223372036854775807: the timeout must be at most 31536000000 milliseconds (a year)"),
            (["bench", "vm", "--milliseconds", "92233720368547758"],
             "--milliseconds 92233720368547758: the measuring time must be at most 31536000000 milliseconds (a year)"),
        ]
        for (arguments, message) in cases {
            let (status, output) = try cli(arguments)
            #expect(status == 64, "\(arguments): \(output)")
            #expect(output.contains(message), "\(arguments): \(output)")
        }
    }

    /// Runs stray_stores.bpf.c in user mode without load-time verification, on `engine`.
    func strayStore(mode: Int, engine: String) throws -> LoopError? {
        let loop = try userLoop("stray_stores") {
            $0.verify = false
            $0.engine = engine == "jit" ? .jit : .interpreter
            $0.globals = [("mode", .integer(Int128(mode)))]
        }
        defer { #expect(loop.globals.integer("limit") == 5) }
        do { _ = try loop.run() } catch { return error }
        return nil
    }

    @Test("a store to .rodata says read-only", arguments: ["interpreter", "jit"])
    func storeToRodata(engine: String) throws {
        let error = try #require(try strayStore(mode: 0, engine: engine))
        #expect(error.message.contains("4-byte store at 0x"), "\(error.message)")
        #expect(error.message.contains("to read-only region .rodata [0x"), "\(error.message)")
        #expect(!error.message.contains("out-of-bounds"), "\(error.message)")
        #expect(error.fault?.location?.line == (try LoopTestPrograms.line(of: "RODATA-STORE", in: "stray_stores")))
    }

    @Test("a store below the stack frame names no region that contains it", arguments: ["interpreter", "jit"])
    func storeBelowTheFrame(engine: String) throws {
        let error = try #require(try strayStore(mode: 1, engine: engine))
        #expect(error.fault?.location?.line == (try LoopTestPrograms.line(of: "BELOW-FRAME", in: "stray_stores")))
        let message = error.message
        #expect(message.contains("out-of-bounds 8-byte store at 0x"), "\(message)")
        // "... store at 0xADDR (nearest region stack [0xLO, 0xHI) rw)": ADDR lies outside [LO, HI).
        let numbers = message.split(whereSeparator: { !$0.isHexDigit && $0 != "x" })
            .filter { $0.hasPrefix("0x") }.compactMap { UInt64($0.dropFirst(2), radix: 16) }
        try #require(numbers.count >= 3, "\(message)")
        #expect(message.contains("(nearest region stack [0x"), "\(message)")
        let (address, low, high) = (numbers[numbers.count - 3], numbers[numbers.count - 2], numbers[numbers.count - 1])
        #expect(!(low..<high).contains(address), "\(message)")
        #expect(address < low)
    }
}
