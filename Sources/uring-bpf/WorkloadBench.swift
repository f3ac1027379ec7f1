import Foundation

/// The side-by-side measurement the workload benchmarks (`bench files`, `bench copy`) share: each variant does the
/// same job and checks its result; the variants run interleaved, in a rotating order, so that load drifting on a
/// shared machine hits all of them alike; a row is the median of its runs, with its ratio to the first row.
struct WorkloadBench {
    /// One timed run and the syscalls it made (nil: not counted, e.g. another process's).
    struct Sample {
        var nanoseconds: Int64
        var syscalls: Int?
    }

    /// A row: does the job once, checks it, returns the time of the job alone.
    struct Variant {
        var label: String
        var title: String
        var measure: () throws -> Sample
    }

    var variants: [Variant]

    /// `repetitions` interleaved runs per variant after one warm-up run each; `beforeEach` runs before every
    /// measured run, untimed (to drop the page cache, say). The samples per variant.
    func measure(repetitions: Int, warmUp: Bool = true, beforeEach: () throws -> Void = {}) throws -> [[Sample]] {
        if warmUp { for variant in variants { _ = try variant.measure() } }
        var samples = Array(repeating: [Sample](), count: variants.count)
        for repetition in 0..<repetitions {
            for k in variants.indices {
                let i = (k + repetition) % variants.count
                try beforeEach()
                samples[i].append(try variants[i].measure())
            }
        }
        return samples
    }

    /// The table: median, min and max time, syscalls, and the ratio of the median to the first row's.
    func table(_ samples: [[Sample]], unit: String = "ms", scale: Double = 1e6) -> (text: String, medians: [Double]) {
        let times = samples.map { $0.map { Double($0.nanoseconds) / scale }.sorted() }
        let medians = times.map { t in t.count % 2 == 1 ? t[t.count / 2] : (t[t.count / 2 - 1] + t[t.count / 2]) / 2 }
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        var lines = ["    " + "variant".padding(toLength: 52, withPad: " ", startingAt: 0) + right("\(unit) med", 10)
                     + right("min", 11) + right("max", 11) + right("syscalls", 11) + right("ratio", 9)]
        for (i, variant) in variants.enumerated() {
            lines.append("(\(variant.label)) " + variant.title.padding(toLength: 52, withPad: " ", startingAt: 0)
                         + String(format: "%10.2f %10.2f %10.2f ", medians[i], times[i].first ?? 0, times[i].last ?? 0)
                         + right(samples[i].first?.syscalls.map(String.init) ?? "n/a", 10)
                         + String(format: " %8.2f", medians[i] / medians[0]))
        }
        return (lines.joined(separator: "\n"), medians)
    }
}

/// Drops the page cache (`/proc/sys/vm/drop_caches`) after writing dirty pages back; nil when it can, else why not.
func pageCacheDropUnavailableReason() -> String? {
    guard geteuid() == 0 else { return "dropping the page cache needs root" }
    guard access("/proc/sys/vm/drop_caches", W_OK) == 0 else { return "/proc/sys/vm/drop_caches is not writable" }
    return nil
}

/// Writes dirty pages back and drops the page cache, dentries and inodes.
func dropPageCache() throws {
    sync()
    let fd = open("/proc/sys/vm/drop_caches", O_WRONLY)
    guard fd >= 0 else { throw BenchFailure("cannot open /proc/sys/vm/drop_caches: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    guard write(fd, "3\n", 2) == 2 else {
        throw BenchFailure("cannot write /proc/sys/vm/drop_caches: \(String(cString: strerror(errno)))")
    }
}

/// A benchmark variant that did not do its job (a wrong result), or a setup that failed.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
