import ArgumentParser
import BPFJIT
import BPFObject
import CReference
import UringBPF
import UringBPFExamples

/// `uring-bpf bench nops`: the cost of a NOP driven by a loop program against the C reference loops, side by side.
///
/// Every variant runs the same N NOPs and is checked (all N CQEs seen with the right result, the program's
/// `nops_completed == N` and `error == 0`) before its time counts. Variants run interleaved, in a rotating
/// order, so that load drifting on a shared machine hits all of them alike; each row is the median.
struct BenchNopsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nops",
        abstract: "ns per NOP: C reference loops vs loop programs (BPF in user/kernel mode, Swift closure), with ratios."
    )

    @Option(help: "NOPs per run.")
    var count: Int = 100_000

    @Option(help: "Measured runs per variant (after one warm-up run each); the median counts.")
    var repetitions: Int = 9

    @Option(help: "Run only these rows, by label (e.g. --only a,d,f), as for a profiler; (a) always runs.")
    var only: String?

    func run() throws {
        guard count > 0, count < Int(UInt32.max), repetitions > 0 else {
            throw ValidationError("--count must be 1...\(UInt32.max - 1) and --repetitions at least 1")
        }
        let wanted = only.map { Set($0.split(separator: ",").map(String.init) + ["a"]) }
        if let unknown = wanted?.subtracting(Self.labels).sorted(), !unknown.isEmpty {
            throw ValidationError("--only: no row \(unknown.joined(separator: ", ")) (rows: \(Self.labels.joined(separator: ", ")))")
        }
        var variants = try Self.variants(count: count, only: wanted)
        let kernel = KernelLoopSupport.probe()
        var kernelNote: String?
        if let wanted, !wanted.contains("g") {
            // Not asked for.
        } else if kernel.available {
            do {
                variants.append(try Self.bpfLoop("g", "BPF nops_seq, kernel mode", example: "nops_seq",
                                                 mode: .kernel, count: count))
            } catch let error as LoopError where error.kind == .modeUnavailable {
                kernelNote = "kernel mode: unavailable (\(error.message))"
            } catch {
                kernelNote = "kernel mode: setup failed (\(error))"
            }
        } else {
            kernelNote = "kernel mode: unavailable (\(kernel.reason))"
        }

        let samples = try BenchNopsCommand.Variant.interleaved(variants, repetitions: repetitions)

        let perNOP = samples.map { runs in runs.map { Double($0.nanoseconds) / Double(count) }.sorted() }
        let medians = perNOP.map(median)
        let reference = medians[0]
        print("bench nops: \(count) NOPs per run, median of \(repetitions) interleaved runs per variant (after a warm-up run)")
        print("     variant                                      ns/NOP        min        max   syscalls/NOP   ratio to (a)")
        for (i, variant) in variants.enumerated() {
            let syscalls = Double(samples[i][0].syscalls) / Double(count)
            print(padRight("(\(variant.label))", 5) + padRight(variant.title, 42)
                  + pad(format(medians[i], 1), 9) + pad(format(perNOP[i].first!, 1), 11) + pad(format(perNOP[i].last!, 1), 11)
                  + pad(format(syscalls, 3), 15) + pad(format(medians[i] / reference, 2), 15))
        }
        if let kernelNote { print(kernelNote) }

        func ratio(_ label: String) -> Double? {
            variants.firstIndex { $0.label == label }.map { medians[$0] / reference }
        }
        let targets: [(label: String, what: String, limit: Double)] = [
            ("d", "BPF loop (JIT)", 1.1), ("d'", "BPF loop (interpreter)", 1.5), ("f", "Swift-closure loop", 1.05),
            ("g", "kernel mode", 0.6),
        ]
        let verdicts = targets.map { target in
            let measured = ratio(target.label)
            let verdict = measured.map { "\(format($0, 2)) \($0 <= target.limit ? "met" : "MISSED")" } ?? "not measured"
            return "(\(target.label)) \(target.what) ≤ \(format(target.limit, 2))×(a): \(verdict)"
        }
        print("targets: " + verdicts.joined(separator: "; "))
        #if DEBUG
        print("note: this is a debug build, whose Swift rows mean little; measure with: swift run -c release uring-bpf bench nops")
        #endif
    }

    // MARK: Variants

    /// One timed run and what it cost in syscalls.
    struct Sample {
        var nanoseconds: Int64
        var syscalls: Int
    }

    /// A row of the table: sets up and runs the N NOPs once, checks the work, returns the time of the loop alone.
    struct Variant {
        var label: String
        var title: String
        var measure: () throws -> Sample
    }

    /// The rows' labels, in order ((g) is kernel mode).
    static let labels = ["a", "b", "c", "d", "d'", "e", "f", "g"]

    /// The user-mode rows, or those of them labelled in `only`.
    static func variants(count: Int, only: Set<String>? = nil) throws -> [Variant] {
        let rows: [(label: String, make: () throws -> Variant)] = [
            ("a", { cLoop("a", "C: 1 NOP per io_uring_enter", link: 1, count: count) }),
            ("b", { cLoop("b", "C: 2 linked NOPs per io_uring_enter", link: 2, count: count) }),
            ("c", { cLoop("c", "C: 8 linked NOPs per io_uring_enter", link: 8, count: count) }),
            ("d", { try bpfLoop("d", "BPF nops_seq, user mode, JIT (1 in flight)", example: "nops_seq", mode: .user,
                                count: count, engine: .jit) }),
            ("d'", { try bpfLoop("d'", "BPF nops_seq, user mode, interpreter", example: "nops_seq", mode: .user,
                                 count: count, engine: .interpreter) }),
            ("e", { try bpfLoop("e", "BPF nops_qd, user mode (32 in flight)", example: "nops_qd", mode: .user,
                                count: count, queueDepth: 32) }),
            ("f", { swiftLoop("f", "Swift closure, nops_seq's logic", count: count) }),
        ]
        return try rows.filter { only?.contains($0.label) ?? true }.map { try $0.make() }
    }

    /// The C reference: chains of `link` NOPs, one `io_uring_enter` per chain (`CReference/linked_nops.c`).
    static func cLoop(_ label: String, _ title: String, link: UInt32, count: Int) -> Variant {
        Variant(label: label, title: title) {
            var seen: UInt64 = 0
            let elapsed = cref_linked_nops(link, UInt64(count), &seen)
            guard elapsed >= 0 else { throw ValidationError("(\(label)) \(title): failed with errno \(-elapsed)") }
            guard seen == UInt64(count) else {
                throw ValidationError("(\(label)) \(title): saw \(seen) CQEs for \(count) NOPs")
            }
            return Sample(nanoseconds: elapsed, syscalls: (count + Int(link) - 1) / Int(link))
        }
    }

    /// A bundled example run by one `UringLoop.run()`; the object is parsed once, the loop is new per run.
    static func bpfLoop(_ label: String, _ title: String, example: String, mode: LoopMode, count: Int,
                        queueDepth: Int? = nil, engine: ExecutionEngine = .default) throws -> Variant {
        guard let built = UringBPFExamples.named(example) else { throw ValidationError("no example '\(example)'") }
        let object = try ObjectFile(bytes: built.bytes)
        var options = LoopOptions()
        options.mode = mode
        options.engine = engine
        options.globals = [("nr_nops", .integer(Int128(count)))]
        if let queueDepth {
            options.sqEntries = UInt32(max(queueDepth, 32))
            options.cqEntries = 2 * options.sqEntries
            options.globals.append(("queue_depth", .integer(Int128(queueDepth))))
        }
        // Fails here, not in the middle of the measurements, when the mode is unavailable.
        let probe = try UringLoop(object: object, options: options)
        var title = title
        if mode == .user, let (used, why) = probe.engine, used != engine {
            title += " [\(used): \(why ?? "fallback")]"  // the JIT cannot run here
        }
        return Variant(label: label, title: title) {
            let loop = try UringLoop(object: object, options: options)
            let start = monotonicNanoseconds()
            let stats = try loop.run()
            let elapsed = monotonicNanoseconds() - start
            let completed = loop.globals.variable(named: "nops_completed")?.integer?.bitPattern
            let error = loop.globals.variable(named: "error")?.integer?.bitPattern
            guard completed == UInt64(count), error == 0, stats.cqesProduced == count else {
                throw ValidationError("(\(label)) \(title): nops_completed \(completed.map(String.init) ?? "?"), error \(error.map(String.init) ?? "?"), \(stats.cqesProduced) CQEs for \(count) NOPs")
            }
            return Sample(nanoseconds: elapsed, syscalls: stats.syscalls)
        }
    }

    /// nops_seq written as a Swift `loop_step` (`SequentialNops`), run by one `UringLoop.run()`.
    static func swiftLoop(_ label: String, _ title: String, count: Int) -> Variant {
        Variant(label: label, title: title) {
            let options = LoopOptions()
            let nops = SequentialNops(count: count, sqEntries: options.sqEntries, cqEntries: options.cqEntries)
            let loop = try UringLoop(options: options) { nops.step($0) }
            let start = monotonicNanoseconds()
            let stats = try loop.run()
            let elapsed = monotonicNanoseconds() - start
            guard nops.failure == nil, nops.completed == count, stats.cqesProduced == count else {
                throw ValidationError("(\(label)) \(title): \(nops.failure ?? "ok"), \(nops.completed) completed, \(stats.cqesProduced) CQEs for \(count) NOPs")
            }
            return Sample(nanoseconds: elapsed, syscalls: stats.syscalls)
        }
    }
}

/// What nops_seq.bpf.c does, as a Swift loop step: reap the previous NOP's CQE, submit the next NOP at SQ index 0
/// (SQ_REWIND), sleep until the CQ reaches head + 1; STOP after `count` completions.
final class SequentialNops {
    static let token: UInt64 = 0x5e9003
    let count: Int
    let sqBytes: Int
    let cqBytes: Int
    let cqMask: UInt32
    // Only `step` touches these, never reentrantly: the dynamic exclusivity checks a class's (or a captured)
    // `var` gets would be a measurable part of a step that costs a few hundred nanoseconds.
    @exclusivity(unchecked) var submitted = 0
    @exclusivity(unchecked) var completed = 0
    @exclusivity(unchecked) var failure: String?

    init(count: Int, sqEntries: UInt32, cqEntries: UInt32) {
        self.count = count
        sqBytes = 64 * Int(sqEntries)
        cqBytes = 64 + 16 * Int(cqEntries)
        cqMask = cqEntries - 1
    }

    func step(_ context: LoopStepContext) -> LoopStepResult {
        guard let sq = context.region(.sq, size: sqBytes), let cq = context.region(.cq, size: cqBytes) else {
            failure = "get_region returned nil"
            return .stop
        }
        // Rings header: CQ head at byte 8, CQ tail at 12, CQEs (16 bytes) from byte 64.
        var head = cq.load(fromByteOffset: 8, as: UInt32.self)
        if head != cq.load(fromByteOffset: 12, as: UInt32.self) {
            let cqe = 64 + Int(head & cqMask) * 16
            let userData = cq.load(fromByteOffset: cqe, as: UInt64.self)
            let result = cq.load(fromByteOffset: cqe + 8, as: Int32.self)
            guard userData == Self.token, result >= 0 else {
                failure = "CQE user_data 0x\(String(userData, radix: 16)), res \(result)"
                return .stop
            }
            head &+= 1
            cq.storeBytes(of: head, toByteOffset: 8, as: UInt32.self)
            completed += 1
        }
        if completed >= count { return .stop }
        if submitted == completed {
            // A NOP: opcode 0, everything zero but user_data at byte 32.
            let sqe = UnsafeMutableRawBufferPointer(rebasing: sq[0..<64])
            sqe.initializeMemory(as: UInt8.self, repeating: 0)
            sqe.storeBytes(of: Self.token, toByteOffset: 32, as: UInt64.self)
            let submittedNow = context.submit(1)
            guard submittedNow == 1 else {
                failure = "submit returned \(submittedNow)"
                return .stop
            }
            submitted += 1
        }
        context.cqWaitIndex = head &+ 1
        return .continue
    }
}

private func median(_ sorted: [Double]) -> Double {
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

private func format(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    var text = "\((value * scale).rounded() / scale)"
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    }
    return text
}

private func padRight(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

private func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
