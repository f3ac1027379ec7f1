/// The choices a `ProgramGenerator` makes, from a seed (tests) or from bytes (libFuzzer): each small choice
/// takes one byte of the input, so mutating a byte changes one decision; when the bytes run out, a generator
/// seeded from them continues.
public struct GeneratorRandomness {
    private let bytes: [UInt8]
    private var position = 0
    private var state: UInt64

    /// Choices from a seed.
    public init(seed: UInt64) {
        bytes = []
        state = seed
    }

    /// Choices taken from `bytes` first.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        state = hash
    }

    /// SplitMix64.
    private mutating func mixed() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    private mutating func byte() -> UInt8 {
        if position < bytes.count {
            position += 1
            return bytes[position - 1]
        }
        return UInt8(truncatingIfNeeded: mixed())
    }

    /// A full 64-bit value (eight choices).
    public mutating func next() -> UInt64 {
        if position >= bytes.count { return mixed() }
        var v: UInt64 = 0
        for _ in 0..<8 { v = v << 8 | UInt64(byte()) }
        return v
    }

    /// A number in `0..<n` (`n` ≥ 1; one byte for `n` ≤ 256).
    public mutating func below(_ n: Int) -> Int {
        precondition(n >= 1)
        if n <= 256 { return Int(byte()) % n }
        return Int(next() % UInt64(n))
    }

    /// A number in `range`.
    public mutating func `in`(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// True `percent` times in 100.
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    /// One of `choices`.
    public mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}
