extension BenchNopsCommand.Variant {
    /// Runs every variant once as a warm-up (and a first check), then `repetitions` times each, interleaved in a
    /// rotating order so that load drifting on a shared machine hits all of them alike; the samples per variant.
    static func interleaved(_ variants: [Self], repetitions: Int) throws -> [[BenchNopsCommand.Sample]] {
        var samples = Array(repeating: [BenchNopsCommand.Sample](), count: variants.count)
        for variant in variants { _ = try variant.measure() }
        for repetition in 0..<repetitions {
            for k in variants.indices {
                let i = (k + repetition) % variants.count
                samples[i].append(try variants[i].measure())
            }
        }
        return samples
    }
}
