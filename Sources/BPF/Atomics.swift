import Synchronization

/// Atomic read-modify-write on program memory (RFC 9669 §5.3). Program memory may be shared with other threads or
/// the kernel (e.g. ring buffers), so these are real sequentially consistent atomics at the host address.
enum Atomics {
    @inline(__always)
    static func at64(_ a: UInt64) -> UnsafeMutablePointer<Atomic<UInt64>> {
        UnsafeMutablePointer(bitPattern: UInt(a)).unsafelyUnwrapped
    }

    @inline(__always)
    static func at32(_ a: UInt64) -> UnsafeMutablePointer<Atomic<UInt32>> {
        UnsafeMutablePointer(bitPattern: UInt(a)).unsafelyUnwrapped
    }

    @inline(__always) static func v32(_ r: UnsafeMutablePointer<UInt64>, _ i: UInt8) -> UInt32 {
        UInt32(truncatingIfNeeded: r[Int(i)])
    }

    @inline(__always) static func add64(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        at64(a).pointee.wrappingAdd(r[Int(s.src)], ordering: .sequentiallyConsistent)
    }
    @inline(__always) static func or64(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        at64(a).pointee.bitwiseOr(r[Int(s.src)], ordering: .sequentiallyConsistent)
    }
    @inline(__always) static func and64(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        at64(a).pointee.bitwiseAnd(r[Int(s.src)], ordering: .sequentiallyConsistent)
    }
    @inline(__always) static func xor64(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        at64(a).pointee.bitwiseXor(r[Int(s.src)], ordering: .sequentiallyConsistent)
    }
    @inline(__always) static func fetchAdd64(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[Int(s.src)] = at64(a).pointee.wrappingAdd(r[Int(s.src)], ordering: .sequentiallyConsistent).oldValue
    }
    @inline(__always) static func fetchOr64(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[Int(s.src)] = at64(a).pointee.bitwiseOr(r[Int(s.src)], ordering: .sequentiallyConsistent).oldValue
    }
    @inline(__always) static func fetchAnd64(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[Int(s.src)] = at64(a).pointee.bitwiseAnd(r[Int(s.src)], ordering: .sequentiallyConsistent).oldValue
    }
    @inline(__always) static func fetchXor64(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[Int(s.src)] = at64(a).pointee.bitwiseXor(r[Int(s.src)], ordering: .sequentiallyConsistent).oldValue
    }
    @inline(__always) static func xchg64(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[Int(s.src)] = at64(a).pointee.exchange(r[Int(s.src)], ordering: .sequentiallyConsistent)
    }
    @inline(__always) static func cmpxchg64(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[0] = at64(a).pointee.compareExchange(
            expected: r[0], desired: r[Int(s.src)], ordering: .sequentiallyConsistent
        ).original
    }

    @inline(__always) static func add32(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        at32(a).pointee.wrappingAdd(v32(r, s.src), ordering: .sequentiallyConsistent)
    }
    @inline(__always) static func or32(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        at32(a).pointee.bitwiseOr(v32(r, s.src), ordering: .sequentiallyConsistent)
    }
    @inline(__always) static func and32(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        at32(a).pointee.bitwiseAnd(v32(r, s.src), ordering: .sequentiallyConsistent)
    }
    @inline(__always) static func xor32(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        at32(a).pointee.bitwiseXor(v32(r, s.src), ordering: .sequentiallyConsistent)
    }
    @inline(__always) static func fetchAdd32(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[Int(s.src)] = UInt64(at32(a).pointee.wrappingAdd(v32(r, s.src), ordering: .sequentiallyConsistent).oldValue)
    }
    @inline(__always) static func fetchOr32(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[Int(s.src)] = UInt64(at32(a).pointee.bitwiseOr(v32(r, s.src), ordering: .sequentiallyConsistent).oldValue)
    }
    @inline(__always) static func fetchAnd32(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[Int(s.src)] = UInt64(at32(a).pointee.bitwiseAnd(v32(r, s.src), ordering: .sequentiallyConsistent).oldValue)
    }
    @inline(__always) static func fetchXor32(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[Int(s.src)] = UInt64(at32(a).pointee.bitwiseXor(v32(r, s.src), ordering: .sequentiallyConsistent).oldValue)
    }
    @inline(__always) static func xchg32(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[Int(s.src)] = UInt64(at32(a).pointee.exchange(v32(r, s.src), ordering: .sequentiallyConsistent))
    }
    @inline(__always) static func cmpxchg32(_ a: UInt64, _ r: UnsafeMutablePointer<UInt64>, _ s: SlotRef) {
        r[0] = UInt64(
            at32(a).pointee.compareExchange(
                expected: v32(r, 0), desired: v32(r, s.src), ordering: .sequentiallyConsistent
            ).original)
    }
}
