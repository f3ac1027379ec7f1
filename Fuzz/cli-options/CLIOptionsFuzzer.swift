// libFuzzer target: the fuzzer's bytes are command-line values, NUL-separated, for the numeric options of
// `uring-bpf run` and `bench vm` (Sources/uring-bpf/NumericOptions.swift, compiled in). Each value goes through the
// conversion ArgumentParser applies to its option (Int or UInt32 from text), then through the command's check; a
// value the check accepts must then survive the arithmetic the command does with it (page rounding, durations,
// nanosecond counts, power-of-two rounding). A trap anywhere is a finding.
// Built and run by Scripts/fuzz/run (see Fuzz/README.md).

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let values = UnsafeBufferPointer(start: data, count: size).split(separator: 0, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    guard values.count >= 6 else { return 0 }
    let page = 4096

    // run --sq-entries N --cq-entries N (UInt32)
    if let sq = UInt32(values[0]), let cq = UInt32(values[1]),
       (try? NumericOptions.checkRing(sqEntries: sq, cqEntries: cq)) != nil {
        precondition(NumericOptions.roundedUpToPowerOfTwo(cq) >= NumericOptions.roundedUpToPowerOfTwo(sq))
        precondition(Int(sq) * 64 + Int(cq) * 16 < 1 << 24)  // the rings the loop maps
    }
    // run --mem-size BYTES (Int): what the MEM region's registration computes
    if let bytes = Int(values[2]), (try? NumericOptions.checkMemSize(bytes)) != nil {
        let (rounded, overflow) = max(bytes, 1).addingReportingOverflow(page - 1)
        _ = overflow ? nil : rounded / page * page
    }
    // run --mem-file OFFSET:PATH: the offset plus a file's size, checked as LoopMemory.write does
    if let (offset, path) = try? NumericOptions.memFile(values[3]) {
        precondition(offset >= 0)
        _ = offset.addingReportingOverflow(path.utf8.count)
    }
    // run --timeout-ms MS and bench vm --milliseconds MS (Int)
    for (value, option) in [(values[4], "--timeout-ms"), (values[5], "--milliseconds")] {
        if let ms = Int(value), (try? NumericOptions.checkMilliseconds(ms, option: option, what: "time")) != nil {
            _ = UInt64(ms) * 200_000         // bench vm: a fifth of the time, in ns
            _ = UInt64(ms) * 1_000_000       // the run's timeout in ns
            _ = Duration.milliseconds(ms).components
        }
    }
    return 0
}
