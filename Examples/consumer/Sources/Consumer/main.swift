import BPFObject
import UringBPF

#if canImport(Glibc)
import Glibc
#endif

// Runs this package's own loop program, Programs/Consumer/tally.bpf.c, through UringLoop: in kernel mode where the
// kernel has io_uring_bpf_ops (Linux 7.1+), in user mode elsewhere (auto mode), or as `consumer user|kernel` says.
// Checks what the program computed and exits 1 if anything is off.

let nops: UInt32 = 1000
var options = LoopOptions()
options.mode = CommandLine.arguments.dropFirst().first.flatMap(LoopMode.init(rawValue:)) ?? .auto
options.globals = [(Tally.Globals.nr_nops.name, .integer(Int128(nops))), (Tally.Globals.batch.name, .integer(8))]

do {
    let loop = try UringLoop(object: try Tally.object(), options: options)
    let statistics = try loop.run()
    let tally = try loop.globals.value(Tally.Globals.tally)
    let buckets = try loop.map(Tally.Maps.buckets)
    let counts = try (0..<4).map { try buckets.lookup(UInt32($0)) ?? 0 }
    print("tally (\(loop.mode) mode): \(tally.completed) NOPs, sum of user_data \(tally.sum), per user_data % 4: "
        + "\(counts); \(statistics)")

    let expectedSum = UInt64(nops) * UInt64(nops + 1) / 2
    guard tally.error == 0, tally.completed == nops, tally.sum == expectedSum, counts.reduce(0, +) == UInt64(nops)
    else {
        print("consumer: FAILED: expected \(nops) NOPs summing to \(expectedSum), error 0")
        exit(1)
    }
    print("consumer: OK")
} catch {
    print("consumer: \(error)")
    exit(1)
}
