/// What the verifier knows about a 64-bit number: known bits and signed/unsigned ranges of the whole register and of
/// its low 32 bits (the kernel's `var_off`, `smin/smax/umin/umax`, `s32_min/...`). Every operation keeps them in step
/// (`reg_bounds_sync`).
struct Scalar: Hashable, Sendable {
    var bits: Tnum
    var smin: Int64, smax: Int64
    var umin: UInt64, umax: UInt64
    var s32min: Int32, s32max: Int32
    var u32min: UInt32, u32max: UInt32

    static let unknown = Scalar(
        bits: .unknown, smin: .min, smax: .max, umin: 0, umax: .max, s32min: .min, s32max: .max, u32min: 0,
        u32max: .max)

    static func constant(_ v: UInt64) -> Scalar {
        Scalar(
            bits: .constant(v), smin: Int64(bitPattern: v), smax: Int64(bitPattern: v), umin: v, umax: v,
            s32min: Int32(truncatingIfNeeded: v), s32max: Int32(truncatingIfNeeded: v),
            u32min: UInt32(truncatingIfNeeded: v), u32max: UInt32(truncatingIfNeeded: v))
    }

    static func constant(signed v: Int64) -> Scalar { constant(UInt64(bitPattern: v)) }

    var isConstant: Bool { bits.isConstant }
    var constantValue: UInt64? { bits.isConstant ? bits.value : nil }
    var isZero: Bool { bits.isConstant && bits.value == 0 }
    var subregisterIsConstant: Bool { bits.subregister.isConstant }

    // MARK: Unbounding

    mutating func markUnbounded64() {
        smin = .min; smax = .max; umin = 0; umax = .max
    }

    mutating func markUnbounded32() {
        s32min = .min; s32max = .max; u32min = 0; u32max = .max
    }

    // MARK: reg_bounds_sync

    mutating func updateBounds32() {
        let sub = bits.subregister
        s32min = max(s32min, Int32(bitPattern: UInt32(truncatingIfNeeded: sub.value | (sub.mask & 0x8000_0000))))
        s32max = min(s32max, Int32(bitPattern: UInt32(truncatingIfNeeded: sub.value | (sub.mask & 0x7fff_ffff))))
        u32min = max(u32min, UInt32(truncatingIfNeeded: sub.value))
        u32max = min(u32max, UInt32(truncatingIfNeeded: sub.value | sub.mask))
    }

    mutating func updateBounds64() {
        smin = max(smin, Int64(bitPattern: bits.value | (bits.mask & (1 << 63))))
        smax = min(smax, Int64(bitPattern: bits.value | (bits.mask & ~(1 << 63))))
        umin = max(umin, bits.value)
        umax = min(umax, bits.value | bits.mask)
    }

    mutating func updateBounds() {
        updateBounds32()
        updateBounds64()
    }

    private mutating func deduceBounds32() {
        if umin >> 32 == umax >> 32 {
            u32min = max(u32min, UInt32(truncatingIfNeeded: umin))
            u32max = min(u32max, UInt32(truncatingIfNeeded: umax))
            if Int32(truncatingIfNeeded: umin) <= Int32(truncatingIfNeeded: umax) {
                s32min = max(s32min, Int32(truncatingIfNeeded: umin))
                s32max = min(s32max, Int32(truncatingIfNeeded: umax))
            }
        }
        if smin >> 32 == smax >> 32 {
            u32min = max(u32min, UInt32(truncatingIfNeeded: smin))
            u32max = min(u32max, UInt32(truncatingIfNeeded: smax))
            if Int32(truncatingIfNeeded: smin) <= Int32(truncatingIfNeeded: smax) {
                s32min = max(s32min, Int32(truncatingIfNeeded: smin))
                s32max = min(s32max, Int32(truncatingIfNeeded: smax))
            }
        }
        if UInt32(truncatingIfNeeded: umin >> 32) &+ 1 == UInt32(truncatingIfNeeded: umax >> 32)
            && Int32(truncatingIfNeeded: umin) < 0 && Int32(truncatingIfNeeded: umax) >= 0
        {
            s32min = max(s32min, Int32(truncatingIfNeeded: umin))
            s32max = min(s32max, Int32(truncatingIfNeeded: umax))
        }
        if UInt32(truncatingIfNeeded: smin >> 32) &+ 1 == UInt32(truncatingIfNeeded: smax >> 32)
            && Int32(truncatingIfNeeded: smin) < 0 && Int32(truncatingIfNeeded: smax) >= 0
        {
            s32min = max(s32min, Int32(truncatingIfNeeded: smin))
            s32max = min(s32max, Int32(truncatingIfNeeded: smax))
        }
        if Int32(bitPattern: u32min) <= Int32(bitPattern: u32max) {
            s32min = max(s32min, Int32(bitPattern: u32min))
            s32max = min(s32max, Int32(bitPattern: u32max))
        }
        if UInt32(bitPattern: s32min) <= UInt32(bitPattern: s32max) {
            u32min = max(u32min, UInt32(bitPattern: s32min))
            u32max = min(u32max, UInt32(bitPattern: s32max))
        }
    }

    private mutating func deduceBounds64() {
        if Int64(bitPattern: umin) <= Int64(bitPattern: umax) {
            smin = max(smin, Int64(bitPattern: umin))
            smax = min(smax, Int64(bitPattern: umax))
        }
        if UInt64(bitPattern: smin) <= UInt64(bitPattern: smax) {
            umin = max(umin, UInt64(bitPattern: smin))
            umax = min(umax, UInt64(bitPattern: smax))
        }
    }

    private mutating func deduceMixedBounds() {
        let newUmin = (umin & ~0xffff_ffff) | UInt64(u32min)
        let newUmax = (umax & ~0xffff_ffff) | UInt64(u32max)
        umin = max(umin, newUmin)
        umax = min(umax, newUmax)
        let newSmin = Int64(bitPattern: (UInt64(bitPattern: smin) & ~0xffff_ffff) | UInt64(u32min))
        let newSmax = Int64(bitPattern: (UInt64(bitPattern: smax) & ~0xffff_ffff) | UInt64(u32max))
        smin = max(smin, newSmin)
        smax = min(smax, newSmax)
        if s32min >= 0 && smin >= Int64(Int32.min) && smax <= Int64(Int32.max) {
            smin = Int64(s32min); smax = Int64(s32max)
            umin = UInt64(s32min); umax = UInt64(s32max)
            bits = bits.intersect(.range(UInt64(bitPattern: smin), UInt64(bitPattern: smax)))
        }
    }

    mutating func deduceBounds() {
        deduceBounds32()
        deduceBounds64()
        deduceMixedBounds()
    }

    /// Known bits learnt from the unsigned ranges (`__reg_bound_offset`).
    mutating func boundOffset() {
        let var64 = bits.intersect(.range(umin, umax))
        let var32 = var64.subregister.intersect(.range(UInt64(u32min), UInt64(u32max)))
        bits = var64.clearingSubregister | var32
    }

    /// `reg_bounds_sync`.
    mutating func sync() {
        updateBounds()
        deduceBounds()
        deduceBounds()
        boundOffset()
        updateBounds()
    }

    /// Whether the ranges contradict each other (an impossible branch).
    var isInconsistent: Bool {
        smin > smax || umin > umax || s32min > s32max || u32min > u32max
            || bits.value & bits.mask != 0
    }

    // MARK: Width changes

    /// Zero-extends the low 32 bits into the register (`zext_32_to_64`: the result of every 32-bit ALU op).
    mutating func zeroExtend32() {
        bits = bits.subregister
        umin = UInt64(u32min)
        umax = UInt64(u32max)
        if s32min >= 0 && s32max >= 0 {
            smin = Int64(s32min); smax = Int64(s32max)
        } else {
            smin = 0; smax = Int64(UInt32.max)
        }
    }

    /// Keeps the low `bytes` bytes, zero-extended (`coerce_reg_to_size`), e.g. after a narrow load.
    mutating func truncate(toBytes bytes: Int) {
        guard bytes < 8 else { return }
        bits = bits.cast(toBytes: bytes)
        let mask = (UInt64(1) << UInt64(bytes * 8)) &- 1
        if umin & ~mask == umax & ~mask {
            umin &= mask; umax &= mask
        } else {
            umin = 0; umax = mask
        }
        smin = Int64(bitPattern: umin); smax = Int64(bitPattern: umax)
        if bytes < 4 { markUnbounded32() }
        sync()
    }

    /// Sign-extends the low `bytes` bytes to 64 bits (`coerce_reg_to_size_sx`), e.g. `movsx` or `ldsx`.
    mutating func signExtend(fromBytes bytes: Int) {
        let shift = UInt64(64 - bytes * 8)
        func extend(_ v: UInt64) -> Int64 { Int64(bitPattern: v << shift) >> Int64(shift) }
        if isConstant {
            self = .constant(signed: extend(bits.value))
            return
        }
        let numBits = UInt64(bytes * 8)
        let topMax = (UInt64(bitPattern: smax) >> numBits) << numBits
        let topMin = (UInt64(bitPattern: smin) >> numBits) << numBits
        if topMax == topMin {
            let a = extend(UInt64(bitPattern: smax)), b = extend(UInt64(bitPattern: smin))
            let hi = max(a, b), lo = min(a, b)
            if (hi >= 0) == (lo >= 0) {
                smin = lo; smax = hi
                s32min = Int32(truncatingIfNeeded: lo); s32max = Int32(truncatingIfNeeded: hi)
                umin = UInt64(bitPattern: lo); umax = UInt64(bitPattern: hi)
                u32min = UInt32(truncatingIfNeeded: lo); u32max = UInt32(truncatingIfNeeded: hi)
                bits = .range(UInt64(bitPattern: lo), UInt64(bitPattern: hi))
                return
            }
        }
        let limit = Int64(1) << Int64(bytes * 8 - 1)
        smin = -limit; smax = limit - 1
        s32min = Int32(truncatingIfNeeded: -limit); s32max = Int32(truncatingIfNeeded: limit - 1)
        umin = 0; umax = .max; u32min = 0; u32max = .max
        bits = .unknown
    }
}

extension Scalar: CustomStringConvertible {
    /// The kernel's spelling: a constant, or the ranges that say something.
    var description: String {
        if isConstant { return "\(Int64(bitPattern: bits.value))" }
        var parts: [String] = []
        if smin != .min && smin != Int64(bitPattern: umin) { parts.append("smin=\(smin)") }
        if smax != .max && smax != Int64(bitPattern: umax) { parts.append("smax=\(smax)") }
        if umin != 0 { parts.append("umin=\(umin)") }
        if umax != .max { parts.append("umax=\(umax)") }
        if s32min != .min && Int64(s32min) != smin { parts.append("smin32=\(s32min)") }
        if s32max != .max && Int64(s32max) != smax { parts.append("smax32=\(s32max)") }
        if u32min != 0 && UInt64(u32min) != umin { parts.append("umin32=\(u32min)") }
        if u32max != .max && UInt64(u32max) != umax { parts.append("umax32=\(u32max)") }
        if !bits.isUnknown && !bits.isConstant { parts.append("var_off=\(bits)") }
        return "scalar(" + parts.joined(separator: ",") + ")"
    }
}
