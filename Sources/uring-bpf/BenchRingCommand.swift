import ArgumentParser
import CReference
import Uring

#if canImport(Glibc)
import Glibc
#endif

/// `uring-bpf bench ring`: NOP throughput of the Swift ring against the C reference loop, side by side.
struct BenchRingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ring",
        abstract: "NOPs per io_uring_enter at batch 1 and 32: Swift ring vs the C reference loop (ns/NOP, ratio)."
    )

    @Option(help: "NOPs per run of each implementation and batch size.")
    var count: Int = 500_000

    @Option(help: "Measured runs per implementation and batch size; the best counts.")
    var repetitions: Int = 9

    @Option(help: "NOPs per io_uring_enter (repeatable).")
    var batch: [UInt32] = [1, 32]

    func run() throws {
        guard count > 0, repetitions > 0, batch.allSatisfy({ (1...64).contains($0) }) else {
            throw ValidationError("--count and --repetitions must be at least 1, and each --batch 1 to 64")
        }
        let entries: UInt32 = 64
        print("NOP throughput, \(count) NOPs per run, best of \(repetitions) runs, ring of \(entries) entries")
        print("batch   C ns/NOP   Swift ns/NOP   Swift/C")
        for batch in batch {
            let rounds = UInt64(max(1, count / Int(batch)))
            var best = (c: Int64.max, swift: Int64.max)
            // Warm up both, then alternate so machine noise hits both sides alike.
            _ = try cLoop(entries: entries, batch: batch, rounds: rounds / 10 + 1)
            _ = try swiftNopLoop(entries: entries, batch: batch, rounds: rounds / 10 + 1)
            for trial in 0..<repetitions {
                // Alternate which side goes first so neither always runs on a warmer (or noisier) machine.
                if trial % 2 == 0 {
                    best.c = min(best.c, try cLoop(entries: entries, batch: batch, rounds: rounds))
                    best.swift = min(best.swift, try swiftNopLoop(entries: entries, batch: batch, rounds: rounds))
                } else {
                    best.swift = min(best.swift, try swiftNopLoop(entries: entries, batch: batch, rounds: rounds))
                    best.c = min(best.c, try cLoop(entries: entries, batch: batch, rounds: rounds))
                }
            }
            let nops = Double(rounds) * Double(batch)
            let cPerNop = Double(best.c) / nops
            let swiftPerNop = Double(best.swift) / nops
            print(pad("\(batch)", 5) + pad(format(cPerNop), 11) + pad(format(swiftPerNop), 15)
                  + pad(format(swiftPerNop / cPerNop, digits: 3), 10))
        }
    }

    private func cLoop(entries: UInt32, batch: UInt32, rounds: UInt64) throws -> Int64 {
        let result = cref_nop_loop(entries, 0, batch, rounds)
        if result < 0 { throw ValidationError("C reference loop failed: errno \(-result)") }
        return result
    }
}

/// The Swift side of the benchmark: the same work as `cref_nop_loop`, through the public `Uring` API.
func swiftNopLoop(entries: UInt32, batch: UInt32, rounds: UInt64) throws -> Int64 {
    var ring = try IoUring(entries: entries)
    let nop = Nop().build()
    var userData: UInt64 = 0
    var bad = 0
    let start = monotonicNanoseconds()
    for _ in 0..<rounds {
        for _ in 0..<batch {
            try ring.push(nop.withUserData(userData))
            userData &+= 1
        }
        try ring.submitAndWait(batch)
        try ring.forEachCompletion { if $0.result != 0 { bad += 1 } }
    }
    let elapsed = monotonicNanoseconds() - start
    if bad != 0 { throw ValidationError("\(bad) NOPs failed") }
    return elapsed
}

func monotonicNanoseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}

private func format(_ value: Double, digits: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    }
    return text
}

private func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
