/// Formats `bpf_trace_printk` / `bpf_trace_vprintk` output the way the kernel's
/// `bpf_bprintf_prepare` does: `%d %i %u %x %X %o %c %s %p %%` with `l`/`ll`/`h`/`hh`
/// length modifiers, flags `-0+ ` and a width.
struct PrintkFormatter {
    /// An error the kernel would also refuse the format for (it returns -EINVAL).
    struct FormatError: Error, Equatable {
        var message: String
    }

    /// The widest field printed (`BPF_TRACE_PRINTK_SIZE` - 1).
    static let maxWidth = 1023

    /// Reads a NUL-terminated string for `%s` from program-visible memory, or nil if unreadable.
    var readString: (UInt64) -> String?

    /// Formats `format` with up to 12 64-bit arguments.
    func format(_ format: [UInt8], arguments: [UInt64]) throws(FormatError) -> String {
        var out = ""
        var i = 0
        var next = 0
        func argument() throws(FormatError) -> UInt64 {
            guard next < arguments.count else { throw FormatError(message: "format uses more arguments than the \(arguments.count) given") }
            defer { next += 1 }
            return arguments[next]
        }
        while i < format.count, format[i] != 0 {
            let c = format[i]
            guard c == UInt8(ascii: "%") else {
                out.unicodeScalars.append(Unicode.Scalar(c))
                i += 1
                continue
            }
            i += 1
            guard i < format.count else { throw FormatError(message: "format ends in a lone %") }
            if format[i] == UInt8(ascii: "%") {
                out += "%"
                i += 1
                continue
            }
            var leftAlign = false, zeroPad = false, plus = false, space = false
            while i < format.count, let f = Optional(format[i]), "-0+ ".utf8.contains(f) {
                switch f {
                case UInt8(ascii: "-"): leftAlign = true
                case UInt8(ascii: "0"): zeroPad = true
                case UInt8(ascii: "+"): plus = true
                default: space = true
                }
                i += 1
            }
            // The width comes from the program: capped (the kernel's output buffer holds 1023 characters, so a
            // wider field cannot show), which also keeps `width * 10` from overflowing.
            var width = 0
            while i < format.count, format[i] >= 0x30, format[i] <= 0x39 {
                width = min(width * 10 + Int(format[i] - 0x30), Self.maxWidth)
                i += 1
            }
            var bits = 32
            while i < format.count, format[i] == UInt8(ascii: "l") || format[i] == UInt8(ascii: "h") {
                bits = format[i] == UInt8(ascii: "l") ? 64 : (bits == 16 ? 8 : 16)
                i += 1
            }
            guard i < format.count else { throw FormatError(message: "format ends inside a conversion") }
            let conversion = format[i]
            i += 1
            var body: String
            switch conversion {
            case UInt8(ascii: "d"), UInt8(ascii: "i"):
                let v = try signExtend(argument(), bits: bits)
                body = String(v)
                if v >= 0, plus { body = "+" + body } else if v >= 0, space { body = " " + body }
            case UInt8(ascii: "u"):
                body = String(truncate(try argument(), bits: bits))
            case UInt8(ascii: "x"):
                body = String(truncate(try argument(), bits: bits), radix: 16)
            case UInt8(ascii: "X"):
                body = String(truncate(try argument(), bits: bits), radix: 16, uppercase: true)
            case UInt8(ascii: "o"):
                body = String(truncate(try argument(), bits: bits), radix: 8)
            case UInt8(ascii: "c"):
                body = String(Unicode.Scalar(UInt8(truncatingIfNeeded: try argument())))
            case UInt8(ascii: "p"):
                // %pK, %px and friends: the kernel prints the raw value for %px; we do for all.
                while i < format.count, let s = Optional(format[i]), (0x41...0x5A).contains(s) || (0x61...0x7A).contains(s) { i += 1 }
                body = "0x" + String(try argument(), radix: 16)
            case UInt8(ascii: "s"):
                let address = try argument()
                body = address == 0 ? "(null)" : (readString(address) ?? "(efault)")
            default:
                throw FormatError(message: "unsupported conversion %\(Character(Unicode.Scalar(conversion)))")
            }
            if body.count < width {
                let pad = width - body.count
                if leftAlign {
                    body += String(repeating: " ", count: pad)
                } else if zeroPad, conversion != UInt8(ascii: "s"), conversion != UInt8(ascii: "c") {
                    let negative = body.hasPrefix("-") || body.hasPrefix("+")
                    let sign = negative ? String(body.removeFirst()) : ""
                    body = sign + String(repeating: "0", count: pad) + body
                } else {
                    body = String(repeating: " ", count: pad) + body
                }
            }
            out += body
        }
        return out
    }

    private func truncate(_ v: UInt64, bits: Int) -> UInt64 {
        bits == 64 ? v : v & ((1 << UInt64(bits)) - 1)
    }

    private func signExtend(_ v: UInt64, bits: Int) -> Int64 {
        switch bits {
        case 8: Int64(Int8(truncatingIfNeeded: v))
        case 16: Int64(Int16(truncatingIfNeeded: v))
        case 32: Int64(Int32(truncatingIfNeeded: v))
        default: Int64(bitPattern: v)
        }
    }
}
