/// A tristate number (the kernel's `struct tnum`): each of 64 bits is known 0, known 1 or unknown. Bits set in
/// `mask` are unknown; the others have the value of the same bit in `value` (unknown bits of `value` are 0).
struct Tnum: Hashable, Sendable, CustomStringConvertible {
    var value: UInt64
    var mask: UInt64

    /// Every bit known: the constant `value`.
    static func constant(_ value: UInt64) -> Tnum { Tnum(value: value, mask: 0) }
    /// No bit known.
    static let unknown = Tnum(value: 0, mask: .max)

    /// The smallest tnum holding every value of `min...max` (unsigned).
    static func range(_ min: UInt64, _ max: UInt64) -> Tnum {
        let chi = min ^ max
        let bits = 64 - chi.leadingZeroBitCount
        if bits > 63 { return .unknown }
        let delta = (UInt64(1) << UInt64(bits)) &- 1
        return Tnum(value: min & ~delta, mask: delta)
    }

    var isConstant: Bool { mask == 0 }
    var isUnknown: Bool { mask == .max }

    /// Whether every value `other` may hold is one this tnum may hold (`tnum_in`).
    func contains(_ other: Tnum) -> Bool {
        if other.mask & ~mask != 0 { return false }
        return value == other.value & ~mask
    }

    /// Whether all values are multiples of `size` (a power of two) (`tnum_is_aligned`).
    func isAligned(_ size: UInt64) -> Bool {
        if size == 0 { return true }
        return (value | mask) & (size - 1) == 0
    }

    static func + (a: Tnum, b: Tnum) -> Tnum {
        let sm = a.mask &+ b.mask, sv = a.value &+ b.value
        let sigma = sm &+ sv
        let chi = sigma ^ sv
        let mu = chi | a.mask | b.mask
        return Tnum(value: sv & ~mu, mask: mu)
    }

    static func - (a: Tnum, b: Tnum) -> Tnum {
        let dv = a.value &- b.value
        let alpha = dv &+ a.mask, beta = dv &- b.mask
        let chi = alpha ^ beta
        let mu = chi | a.mask | b.mask
        return Tnum(value: dv & ~mu, mask: mu)
    }

    static func & (a: Tnum, b: Tnum) -> Tnum {
        let alpha = a.value | a.mask, beta = b.value | b.mask
        let v = a.value & b.value
        return Tnum(value: v, mask: alpha & beta & ~v)
    }

    static func | (a: Tnum, b: Tnum) -> Tnum {
        let v = a.value | b.value
        let mu = a.mask | b.mask
        return Tnum(value: v, mask: mu & ~v)
    }

    static func ^ (a: Tnum, b: Tnum) -> Tnum {
        let v = a.value ^ b.value
        let mu = a.mask | b.mask
        return Tnum(value: v & ~mu, mask: mu)
    }

    static func * (a: Tnum, b: Tnum) -> Tnum {
        var a = a, b = b
        let accValue = a.value &* b.value
        var accMask = Tnum.constant(0)
        while a.value != 0 || a.mask != 0 {
            if a.value & 1 != 0 {
                accMask = accMask + Tnum(value: 0, mask: b.mask)
            } else if a.mask & 1 != 0 {
                accMask = accMask + Tnum(value: 0, mask: b.value | b.mask)
            }
            a = a.shiftedRight(1)
            b = b.shiftedLeft(1)
        }
        return Tnum.constant(accValue) + accMask
    }

    func shiftedLeft(_ n: UInt64) -> Tnum { Tnum(value: value << n, mask: mask << n) }
    func shiftedRight(_ n: UInt64) -> Tnum { Tnum(value: value >> n, mask: mask >> n) }

    /// Arithmetic right shift of a `bits`-bit (32 or 64) value.
    func arithmeticShiftedRight(_ n: UInt64, bits: Int) -> Tnum {
        if bits == 32 {
            let v = UInt64(UInt32(bitPattern: Int32(bitPattern: UInt32(truncatingIfNeeded: value)) >> Int32(n)))
            let m = UInt64(UInt32(bitPattern: Int32(bitPattern: UInt32(truncatingIfNeeded: mask)) >> Int32(n)))
            return Tnum(value: v, mask: m)
        }
        return Tnum(
            value: UInt64(bitPattern: Int64(bitPattern: value) >> Int64(n)),
            mask: UInt64(bitPattern: Int64(bitPattern: mask) >> Int64(n)))
    }

    /// Values both tnums may hold.
    func intersect(_ b: Tnum) -> Tnum {
        let v = value | b.value
        let mu = mask & b.mask
        return Tnum(value: v & ~mu, mask: mu)
    }

    /// The low `bytes` bytes (`tnum_cast`).
    func cast(toBytes bytes: Int) -> Tnum {
        if bytes >= 8 { return self }
        let keep = (UInt64(1) << UInt64(bytes * 8)) &- 1
        return Tnum(value: value & keep, mask: mask & keep)
    }

    /// The low 32 bits (`tnum_subreg`).
    var subregister: Tnum { cast(toBytes: 4) }
    /// The high 32 bits only (`tnum_clear_subreg`).
    var clearingSubregister: Tnum { shiftedRight(32).shiftedLeft(32) }
    /// The high 32 bits of this with the low 32 of `low` (`tnum_with_subreg`).
    func withSubregister(_ low: Tnum) -> Tnum { clearingSubregister | low.subregister }

    /// `(value; mask)` as the kernel prints it, or the constant.
    var description: String {
        isConstant ? "\(value)" : "(0x\(String(value, radix: 16)); 0x\(String(mask, radix: 16)))"
    }
}
