/// The interpreter's fast memory check: the current stack (this frame and its callers'), the last read-only
/// region a load hit, and the last read-write region a load, store or atomic hit. An access inside one of them
/// costs a subtraction and a compare; anything else goes to `Interpreter.slowAccess`, which searches the
/// `MemoryMap` and refills the cache or throws.
struct AccessWindow {
    /// Six words in memory next to the register file (`stackLo, stackLen, loadLo, loadLen, storeLo, storeLen`):
    /// kept out of CPU registers so the loop's hot values (pc, fuel, register file) stay in them.
    let base: UnsafeMutablePointer<UInt64>

    var stackLo: UInt64 { base[0] }
    var stackLen: UInt64 { base[1] }
    var loadLo: UInt64 { base[2] }
    var loadLen: UInt64 { base[3] }
    var storeLo: UInt64 { base[4] }
    var storeLen: UInt64 { base[5] }

    /// Every cached length is at least 8 (a stack frame is 512), so `len &- size` never wraps.
    init(base: UnsafeMutablePointer<UInt64>, stackLo: UInt64, stackLen: UInt64) {
        self.base = base
        base[0] = stackLo
        base[1] = stackLen
        forgetRegions()
    }

    private func setLoad(_ lo: UInt64, _ len: UInt64) {
        base[2] = lo
        base[3] = len
    }

    private func setStore(_ lo: UInt64, _ len: UInt64) {
        base[4] = lo
        base[5] = len
    }

    @inline(__always)
    static func fits(_ a: UInt64, _ size: UInt64, _ lo: UInt64, _ len: UInt64) -> Bool {
        (a &- lo) <= (len &- size)
    }

    @inline(__always)
    func checkLoad(_ a: UInt64, _ size: UInt64, at index: Int, _ vm: Interpreter) throws(RuntimeError) {
        if _fastPath(
            Self.fits(a, size, stackLo, stackLen) || Self.fits(a, size, loadLo, loadLen)
                || Self.fits(a, size, storeLo, storeLen))
        {
            return
        }
        let hit = try vm.slowAccess(a, size, .load, index)
        if hit.readWrite { setStore(hit.base, hit.size) } else { setLoad(hit.base, hit.size) }
    }

    @inline(__always)
    func checkStore(
        _ a: UInt64, _ size: UInt64, _ kind: AccessKind, at index: Int, _ vm: Interpreter
    ) throws(RuntimeError) {
        if _fastPath(Self.fits(a, size, stackLo, stackLen) || Self.fits(a, size, storeLo, storeLen)) { return }
        let hit = try vm.slowAccess(a, size, kind, index)
        setStore(hit.base, hit.size)
    }

    /// After a host call: the memory map may have changed, forget the cached regions.
    @inline(__always)
    func forgetRegions() {
        setLoad(stackLo, stackLen)
        setStore(stackLo, stackLen)
    }

    /// After a call or return moved the frame pointer: the stack is `[r10 - 512, top)`; cached entries that
    /// pointed into a frame that no longer exists are dropped.
    @inline(__always)
    func setStack(lo: UInt64, top: UInt64, bottom: UInt64) {
        base[0] = lo
        base[1] = top &- lo
        if loadLo < lo && loadLo >= bottom { setLoad(lo, stackLen) }
        if storeLo < lo && storeLo >= bottom { setStore(lo, stackLen) }
    }
}

@inline(__always)
func load<T>(_ a: UInt64, as type: T.Type) -> T {
    UnsafeRawPointer(bitPattern: UInt(a)).unsafelyUnwrapped.loadUnaligned(as: type)
}

@inline(__always)
func store<T>(_ value: T, at a: UInt64) {
    UnsafeMutableRawPointer(bitPattern: UInt(a)).unsafelyUnwrapped.storeBytes(of: value, as: T.self)
}
