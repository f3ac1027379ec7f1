/// Scalar ALU operations as the kernel tracks them (`adjust_scalar_min_max_vals`): the tnum and the four ranges of
/// the result, for 64-bit (`alu64`) and 32-bit (`alu32`, zero-extended) forms.
enum ScalarOperation: Sendable {
    case add, sub, mul, div, or, and, lsh, rsh, neg, mod, xor, arsh

    init?(aluCode: UInt8) {
        switch aluCode {
        case 0x00: self = .add
        case 0x10: self = .sub
        case 0x20: self = .mul
        case 0x30: self = .div
        case 0x40: self = .or
        case 0x50: self = .and
        case 0x60: self = .lsh
        case 0x70: self = .rsh
        case 0x80: self = .neg
        case 0x90: self = .mod
        case 0xa0: self = .xor
        case 0xc0: self = .arsh
        default: return nil
        }
    }

    /// The operator as the kernel's messages spell it (`+=`, `&=`, ...).
    var assignmentOperator: String {
        switch self {
        case .add: "+="
        case .sub: "-="
        case .mul: "*="
        case .div: "/="
        case .or: "|="
        case .and: "&="
        case .lsh: "<<="
        case .rsh: ">>="
        case .neg: "neg"
        case .mod: "%="
        case .xor: "^="
        case .arsh: "s>>="
        }
    }
}

extension Scalar {
    /// `self = self op source` on 64 bits (`is64`) or 32 bits.
    mutating func apply(_ op: ScalarOperation, _ source: Scalar, is64: Bool) {
        let bitness: UInt64 = is64 ? 64 : 32
        let srcConst = is64 ? source.isConstant : source.subregisterIsConstant
        var src = source
        switch op {
        case .lsh, .rsh, .arsh:
            let amount = is64 ? src.umax : UInt64(src.u32max)
            guard srcConst, amount < bitness else {
                self = .unknown
                return
            }
        case .div, .mod:
            self = .unknown
            return
        case .neg:
            let value = self
            self = .constant(0)
            src = value
        default: break
        }
        let operation: ScalarOperation = op == .neg ? .sub : op
        switch operation {
        case .add:
            add32(src); add64(src)
            bits = bits + src.bits
        case .sub:
            sub32(src); sub64(src)
            bits = bits - src.bits
        case .mul:
            bits = bits * src.bits
            mul32(src); mul64(src)
        case .and:
            bits = bits & src.bits
            and32(src); and64(src)
        case .or:
            bits = bits | src.bits
            or32(src); or64(src)
        case .xor:
            bits = bits ^ src.bits
            xor32(src); xor64(src)
        case .lsh:
            if is64 { lsh64(src) } else { lsh32(src) }
        case .rsh:
            if is64 { rsh64(src) } else { rsh32(src) }
        case .arsh:
            if is64 { arsh64(src) } else { arsh32(src) }
        default: break
        }
        if !is64 { zeroExtend32() }
        sync()
    }

    // MARK: add / sub

    private mutating func add32(_ s: Scalar) {
        let (a, o1) = s32min.addingReportingOverflow(s.s32min)
        let (b, o2) = s32max.addingReportingOverflow(s.s32max)
        if o1 || o2 { s32min = .min; s32max = .max } else { s32min = a; s32max = b }
        let (c, o3) = u32min.addingReportingOverflow(s.u32min)
        let (d, o4) = u32max.addingReportingOverflow(s.u32max)
        if o3 != o4 { u32min = 0; u32max = .max } else { u32min = c; u32max = d }
    }

    private mutating func add64(_ s: Scalar) {
        let (a, o1) = smin.addingReportingOverflow(s.smin)
        let (b, o2) = smax.addingReportingOverflow(s.smax)
        if o1 || o2 { smin = .min; smax = .max } else { smin = a; smax = b }
        let (c, o3) = umin.addingReportingOverflow(s.umin)
        let (d, o4) = umax.addingReportingOverflow(s.umax)
        if o3 != o4 { umin = 0; umax = .max } else { umin = c; umax = d }
    }

    private mutating func sub32(_ s: Scalar) {
        let (a, o1) = s32min.subtractingReportingOverflow(s.s32max)
        let (b, o2) = s32max.subtractingReportingOverflow(s.s32min)
        if o1 || o2 { s32min = .min; s32max = .max } else { s32min = a; s32max = b }
        let (c, o3) = u32min.subtractingReportingOverflow(s.u32max)
        let (d, o4) = u32max.subtractingReportingOverflow(s.u32min)
        if o3 != o4 { u32min = 0; u32max = .max } else { u32min = c; u32max = d }
    }

    private mutating func sub64(_ s: Scalar) {
        let (a, o1) = smin.subtractingReportingOverflow(s.smax)
        let (b, o2) = smax.subtractingReportingOverflow(s.smin)
        if o1 || o2 { smin = .min; smax = .max } else { smin = a; smax = b }
        let (c, o3) = umin.subtractingReportingOverflow(s.umax)
        let (d, o4) = umax.subtractingReportingOverflow(s.umin)
        if o3 != o4 { umin = 0; umax = .max } else { umin = c; umax = d }
    }

    // MARK: mul

    private mutating func mul32(_ s: Scalar) {
        let (a, o1) = u32max.multipliedReportingOverflow(by: s.u32max)
        let (b, o2) = u32min.multipliedReportingOverflow(by: s.u32min)
        if o1 || o2 { u32min = 0; u32max = .max } else { u32min = b; u32max = a }
        var products: [Int32] = []
        for x in [s32min, s32max] {
            for y in [s.s32min, s.s32max] {
                let (p, o) = x.multipliedReportingOverflow(by: y)
                if o { s32min = .min; s32max = .max; return }
                products.append(p)
            }
        }
        s32min = products.min()!
        s32max = products.max()!
    }

    private mutating func mul64(_ s: Scalar) {
        let (a, o1) = umax.multipliedReportingOverflow(by: s.umax)
        let (b, o2) = umin.multipliedReportingOverflow(by: s.umin)
        if o1 || o2 { umin = 0; umax = .max } else { umin = b; umax = a }
        var products: [Int64] = []
        for x in [smin, smax] {
            for y in [s.smin, s.smax] {
                let (p, o) = x.multipliedReportingOverflow(by: y)
                if o { smin = .min; smax = .max; return }
                products.append(p)
            }
        }
        smin = products.min()!
        smax = products.max()!
    }

    // MARK: bitwise (the tnum is already updated)

    private mutating func and32(_ s: Scalar) {
        let sub = bits.subregister
        if subregisterIsConstant && s.subregisterIsConstant {
            setConstant32(UInt32(truncatingIfNeeded: sub.value))
            return
        }
        u32min = UInt32(truncatingIfNeeded: sub.value)
        u32max = min(u32max, s.u32max)
        signed32FromUnsigned()
    }

    private mutating func and64(_ s: Scalar) {
        if bits.isConstant && s.isConstant && wasConstantBeforeBitwise {
            setConstant64(bits.value)
            return
        }
        umin = bits.value
        umax = min(umax, s.umax)
        signed64FromUnsigned()
        updateBounds64()
    }

    private mutating func or32(_ s: Scalar) {
        let sub = bits.subregister
        if subregisterIsConstant && s.subregisterIsConstant {
            setConstant32(UInt32(truncatingIfNeeded: sub.value))
            return
        }
        u32min = max(u32min, s.u32min)
        u32max = UInt32(truncatingIfNeeded: sub.value | sub.mask)
        signed32FromUnsigned()
    }

    private mutating func or64(_ s: Scalar) {
        if bits.isConstant && s.isConstant && wasConstantBeforeBitwise {
            setConstant64(bits.value)
            return
        }
        umin = max(umin, s.umin)
        umax = bits.value | bits.mask
        signed64FromUnsigned()
        updateBounds64()
    }

    private mutating func xor32(_ s: Scalar) {
        let sub = bits.subregister
        if subregisterIsConstant && s.subregisterIsConstant {
            setConstant32(UInt32(truncatingIfNeeded: sub.value))
            return
        }
        u32min = UInt32(truncatingIfNeeded: sub.value)
        u32max = UInt32(truncatingIfNeeded: sub.value | sub.mask)
        signed32FromUnsigned()
    }

    private mutating func xor64(_ s: Scalar) {
        if bits.isConstant && s.isConstant && wasConstantBeforeBitwise {
            setConstant64(bits.value)
            return
        }
        umin = bits.value
        umax = bits.value | bits.mask
        signed64FromUnsigned()
        updateBounds64()
    }

    /// After a bitwise op the tnum is constant only if both operands were; the kernel checks the operands, and a
    /// constant result tnum implies that here (an unknown bit stays unknown through &, | and ^ unless masked out).
    private var wasConstantBeforeBitwise: Bool { bits.isConstant }

    private mutating func signed32FromUnsigned() {
        if Int32(bitPattern: u32min) <= Int32(bitPattern: u32max) {
            s32min = Int32(bitPattern: u32min); s32max = Int32(bitPattern: u32max)
        } else {
            s32min = .min; s32max = .max
        }
    }

    private mutating func signed64FromUnsigned() {
        if Int64(bitPattern: umin) <= Int64(bitPattern: umax) {
            smin = Int64(bitPattern: umin); smax = Int64(bitPattern: umax)
        } else {
            smin = .min; smax = .max
        }
    }

    private mutating func setConstant32(_ v: UInt32) {
        s32min = Int32(bitPattern: v); s32max = Int32(bitPattern: v)
        u32min = v; u32max = v
    }

    private mutating func setConstant64(_ v: UInt64) {
        let low32 = (s32min, s32max, u32min, u32max)
        self = .constant(v)
        (s32min, s32max, u32min, u32max) = low32
    }

    // MARK: shifts (the amount is a constant below the width)

    private mutating func lsh64(_ s: Scalar) {
        let amount = s.umin
        if amount == 32 && s32max >= 0 { smax = Int64(s32max) << 32 } else { smax = .max }
        if amount == 32 && s32min >= 0 { smin = Int64(s32min) << 32 } else { smin = .min }
        if umax > UInt64(1) << (63 - amount) {
            umin = 0; umax = .max
        } else {
            umin <<= amount; umax <<= amount
        }
        markUnbounded32Shift(amount)
        bits = bits.shiftedLeft(amount)
        updateBounds()
    }

    /// `__scalar32_min_max_lsh` as the 64-bit shift calls it.
    private mutating func markUnbounded32Shift(_ amount: UInt64) {
        s32min = .min; s32max = .max
        if amount > 31 || UInt64(u32max) > UInt64(1) << (31 - amount) {
            u32min = 0; u32max = .max
        } else {
            u32min <<= UInt32(amount); u32max <<= UInt32(amount)
        }
    }

    private mutating func lsh32(_ s: Scalar) {
        let amount = UInt64(s.u32min)
        let sub = bits.subregister
        markUnbounded32Shift(amount)
        bits = sub.shiftedLeft(amount).subregister
        markUnbounded64()
        updateBounds32()
    }

    private mutating func rsh64(_ s: Scalar) {
        let amount = s.umin
        smin = .min; smax = .max
        bits = bits.shiftedRight(amount)
        umin >>= s.umax
        umax >>= amount
        markUnbounded32()
        updateBounds()
    }

    private mutating func rsh32(_ s: Scalar) {
        let sub = bits.subregister
        s32min = .min; s32max = .max
        bits = sub.shiftedRight(UInt64(s.u32min))
        u32min >>= s.u32max
        u32max >>= s.u32min
        markUnbounded64()
        updateBounds32()
    }

    private mutating func arsh64(_ s: Scalar) {
        let amount = s.umin
        smin >>= Int64(amount)
        smax >>= Int64(amount)
        bits = bits.arithmeticShiftedRight(amount, bits: 64)
        umin = 0; umax = .max
        markUnbounded32()
        updateBounds()
    }

    private mutating func arsh32(_ s: Scalar) {
        let amount = Int32(s.u32min)
        s32min >>= amount
        s32max >>= amount
        bits = bits.subregister.arithmeticShiftedRight(UInt64(amount), bits: 32)
        u32min = 0; u32max = .max
        markUnbounded64()
        updateBounds32()
    }
}
