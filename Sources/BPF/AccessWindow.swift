/// The interpreter's fast memory check: the current stack (this frame and its callers'), the last read-only
/// region a load hit, and the last read-write region a load, store or atomic hit. An access inside one of them
/// costs a subtraction and a compare; anything else goes to `Interpreter.slowAccess`, which searches the
/// `MemoryMap` and refills the cache or throws. Lives in the hot loop's locals, so it stays in registers.
struct AccessWindow {
    var stackLo: UInt64, stackLen: UInt64
    var loadLo: UInt64, loadLen: UInt64
    var storeLo: UInt64, storeLen: UInt64

    /// Every cached length is at least 8 (a stack frame is 512), so `len &- size` never wraps.
    init(stackLo: UInt64, stackLen: UInt64) {
        self.stackLo = stackLo
        self.stackLen = stackLen
        loadLo = stackLo
        loadLen = stackLen
        storeLo = stackLo
        storeLen = stackLen
    }

    @inline(__always)
    static func fits(_ a: UInt64, _ size: UInt64, _ lo: UInt64, _ len: UInt64) -> Bool {
        (a &- lo) <= (len &- size)
    }

    @inline(__always)
    mutating func checkLoad(_ a: UInt64, _ size: UInt64, at index: Int, _ vm: Interpreter) throws(RuntimeError) {
        if _fastPath(
            Self.fits(a, size, stackLo, stackLen) || Self.fits(a, size, loadLo, loadLen)
                || Self.fits(a, size, storeLo, storeLen))
        {
            return
        }
        let hit = try vm.slowAccess(a, size, .load, index)
        if hit.readWrite {
            storeLo = hit.base
            storeLen = hit.size
        } else {
            loadLo = hit.base
            loadLen = hit.size
        }
    }

    @inline(__always)
    mutating func checkStore(
        _ a: UInt64, _ size: UInt64, _ kind: AccessKind, at index: Int, _ vm: Interpreter
    ) throws(RuntimeError) {
        if _fastPath(Self.fits(a, size, stackLo, stackLen) || Self.fits(a, size, storeLo, storeLen)) { return }
        let hit = try vm.slowAccess(a, size, kind, index)
        storeLo = hit.base
        storeLen = hit.size
    }

    /// After a host call: the memory map may have changed, forget the cached regions.
    @inline(__always)
    mutating func forgetRegions() {
        loadLo = stackLo
        loadLen = stackLen
        storeLo = stackLo
        storeLen = stackLen
    }

    /// After a call or return moved the frame pointer: the stack is `[r10 - 512, top)`; cached entries that
    /// pointed into a frame that no longer exists are dropped.
    @inline(__always)
    mutating func setStack(lo: UInt64, top: UInt64, bottom: UInt64) {
        stackLo = lo
        stackLen = top &- lo
        if loadLo < lo && loadLo >= bottom {
            loadLo = lo
            loadLen = stackLen
        }
        if storeLo < lo && storeLo >= bottom {
            storeLo = lo
            storeLen = stackLen
        }
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
