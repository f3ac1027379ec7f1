/// A value to store in a program's global variable before a run (``LoopOptions/globals``, `--set NAME=VALUE`).
public enum GlobalValue: Sendable, Equatable, CustomStringConvertible {
    /// An integer, stored little-endian in the variable's size; it must fit that size as a signed or an unsigned
    /// number (`-1` and `255` both fit a byte).
    case integer(Int128)
    /// The user-space address of the MEM region plus an offset (`@mem`, `@mem+N`): what a program puts in an SQE's
    /// `addr` to point the kernel at MEM. The variable must be 8 bytes.
    case memAddress(offset: UInt64)

    /// Parses `123`, `-1`, `0x7b`, `@mem` or `@mem+N` (N decimal or hex).
    public init(parsing text: String) throws(LoopError) {
        if text == "@mem" {
            self = .memAddress(offset: 0)
        } else if text.hasPrefix("@mem+") {
            guard let n = Self.integer(String(text.dropFirst(5))), let offset = UInt64(exactly: n) else {
                throw LoopError(.badArgument, "'\(text)': expected @mem+N with N a non-negative integer")
            }
            self = .memAddress(offset: offset)
        } else if let n = Self.integer(text) {
            self = .integer(n)
        } else {
            throw LoopError(.badArgument, "'\(text)' is neither an integer nor @mem / @mem+N")
        }
    }

    /// A decimal or `0x` hexadecimal integer, optionally negative.
    static func integer(_ s: String) -> Int128? {
        var digits = Substring(s)
        let negative = digits.hasPrefix("-")
        if negative { digits = digits.dropFirst() }
        let magnitude: UInt64?
        if digits.lowercased().hasPrefix("0x") {
            magnitude = UInt64(digits.dropFirst(2), radix: 16)
        } else {
            magnitude = digits.first?.isNumber == true ? UInt64(digits) : nil
        }
        guard let magnitude else { return nil }
        return negative ? -Int128(magnitude) : Int128(magnitude)
    }

    public var description: String {
        switch self {
        case .integer(let v): "\(v)"
        case .memAddress(let off): off == 0 ? "@mem" : "@mem+\(off)"
        }
    }
}

extension Int128 {
    /// The little-endian bytes of this value in a `size`-byte variable, if it fits as a signed or unsigned number.
    func bytes(fitting size: Int, name: String) throws(LoopError) -> [UInt8] {
        let bits = 8 * size
        let fits = size >= 1 && size <= 8 && self >= -(Int128(1) << (bits - 1)) && self < (Int128(1) << bits)
        guard fits else {
            throw LoopError(.badArgument, size > 8
                ? "\(name) is \(size) bytes; only integers of up to 8 bytes can be set"
                : "\(self) does not fit \(name), which is \(size) byte\(size == 1 ? "" : "s")")
        }
        let pattern = UInt64(truncatingIfNeeded: self)
        return (0..<size).map { UInt8(truncatingIfNeeded: pattern >> (8 * UInt64($0))) }
    }
}
