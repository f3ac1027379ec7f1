// The checks on the CLI's numeric options, apart from ArgumentParser so that Fuzz/cli-options can run them on any
// text: a value that passes is safe for the arithmetic the commands do with it. Imports nothing.

/// A numeric option that is out of range or malformed; the message names the option and the value.
struct NumericOptionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum NumericOptions {
    /// io_uring's limits (IORING_MAX_ENTRIES, IORING_MAX_CQ_ENTRIES).
    static let maxSQEntries: UInt32 = 32768
    static let maxCQEntries: UInt32 = 65536
    /// The largest `--timeout-ms` and `bench vm --milliseconds` (a year: far beyond any run, and its nanoseconds
    /// fit in 64 bits).
    static let maxMilliseconds = 365 * 24 * 3600 * 1000

    /// `uring-bpf run`'s ring sizes.
    static func checkRing(sqEntries: UInt32, cqEntries: UInt32) throws(NumericOptionError) {
        guard (1...maxSQEntries).contains(sqEntries) else {
            throw NumericOptionError("--sq-entries \(sqEntries): an SQ has 1 to \(maxSQEntries) entries")
        }
        guard cqEntries <= maxCQEntries else {
            throw NumericOptionError("--cq-entries \(cqEntries): a CQ has at most \(maxCQEntries) entries")
        }
        // The kernel compares the sizes after rounding both up to powers of two.
        guard roundedUpToPowerOfTwo(cqEntries) >= roundedUpToPowerOfTwo(sqEntries) else {
            throw NumericOptionError("--cq-entries \(cqEntries) is below --sq-entries \(sqEntries): the CQ needs at "
                + "least as many entries as the SQ (\(roundedUpToPowerOfTwo(sqEntries)) after rounding up)")
        }
    }

    /// The smallest power of two at least `value` (the kernel's `roundup_pow_of_two`); 2^32 does not fit a
    /// `UInt32`, so values above 2^31 give 0.
    static func roundedUpToPowerOfTwo(_ value: UInt32) -> UInt32 {
        value <= 1 ? 1 : (value > 1 << 31 ? 0 : 1 << (32 - (value - 1).leadingZeroBitCount))
    }

    /// `--mem-size BYTES` (0 for none).
    static func checkMemSize(_ bytes: Int) throws(NumericOptionError) {
        guard bytes >= 0 else { throw NumericOptionError("--mem-size \(bytes): a size cannot be negative") }
    }

    /// `--timeout-ms MS` or `--milliseconds MS` (`what` is "timeout", say): at least 1, at most ``maxMilliseconds``.
    static func checkMilliseconds(_ value: Int, option: String, what: String) throws(NumericOptionError) {
        guard value >= 1 else { throw NumericOptionError("\(option) \(value): the \(what) must be at least 1 millisecond") }
        guard value <= maxMilliseconds else {
            throw NumericOptionError("\(option) \(value): the \(what) must be at most \(maxMilliseconds) milliseconds (a year)")
        }
    }

    /// A count that must be at least 1 (`--max-steps`, `--repetitions`, `--count`), and at most `maximum`.
    static func checkCount(_ value: Int, option: String, maximum: Int = .max) throws(NumericOptionError) {
        guard (1...maximum).contains(value) else {
            throw NumericOptionError("\(option) \(value): must be 1 to \(maximum)")
        }
    }

    /// `--mem-file OFFSET:PATH`: OFFSET is decimal or 0x hex and may be left out (0, the whole value is PATH).
    static func memFile(_ spec: String) throws(NumericOptionError) -> (offset: Int, path: String) {
        guard let colon = spec.firstIndex(of: ":") else { return (0, spec) }
        let text = spec[..<colon]
        let hex = text.lowercased().hasPrefix("0x")
        let digits = hex ? text.dropFirst(2) : text
        guard digits.allSatisfy(\.isASCII), digits.first?.isHexDigit == true,
              let offset = Int(digits, radix: hex ? 16 : 10) else {
            throw NumericOptionError("--mem-file \(spec): OFFSET must be a non-negative decimal or 0x hex number")
        }
        return (offset, String(spec[spec.index(after: colon)...]))
    }
}
