/// A value to store in a program's global variable before a run (`--set NAME=VALUE`).
public enum GlobalValue: Sendable, Equatable, CustomStringConvertible {
    /// A plain integer, stored in the variable's size (little-endian, truncated).
    case integer(UInt64)
    /// The user-space address of the MEM region plus an offset (`@mem`, `@mem+N`):
    /// what a program puts in an SQE's `addr` to point the kernel at MEM.
    case memAddress(offset: UInt64)

    /// Parses `123`, `-1`, `0x7b`, `@mem` or `@mem+N` (N decimal or hex).
    public init(parsing text: String) throws(LoopError) {
        if text == "@mem" {
            self = .memAddress(offset: 0)
        } else if text.hasPrefix("@mem+") {
            guard let n = Self.integer(String(text.dropFirst(5))) else {
                throw LoopError.badArgument("'\(text)': expected @mem+N with N an integer")
            }
            self = .memAddress(offset: n)
        } else if let n = Self.integer(text) {
            self = .integer(n)
        } else {
            throw LoopError.badArgument("'\(text)' is neither an integer nor @mem / @mem+N")
        }
    }

    private static func integer(_ s: String) -> UInt64? {
        if s.hasPrefix("-"), let v = Int64(s) { return UInt64(bitPattern: v) }
        if s.lowercased().hasPrefix("0x") { return UInt64(s.dropFirst(2), radix: 16) }
        return UInt64(s)
    }

    public var description: String {
        switch self {
        case .integer(let v): "\(v)"
        case .memAddress(let off): off == 0 ? "@mem" : "@mem+\(off)"
        }
    }
}
