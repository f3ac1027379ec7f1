/// The interpreter's memory-check cache, in two levels.
///
/// The fast check (inlined at every load, store and atomic) looks at five windows: the current stack (this frame
/// and its callers'), the last two read-only regions a load hit, and the last two read-write regions an access
/// hit (stores look at the stack and the read-write ones); that costs a subtraction and a compare each. Then at the
/// instruction's own last region (below). A miss
/// goes to `miss`, which looks in a small table of recently used regions (`recentCount` entries, filled
/// round-robin) before searching the `MemoryMap`, and moves the hit into the fast windows.
///
/// Between the two, the fast check looks at the region the same instruction used last (most instructions always
/// touch the same region, but a step of a loop program touches more regions than the fast windows hold): each
/// memory instruction has `siteWords` words in the interpreter's `siteRegions`, `lo, len, readWrite, generation`,
/// valid only while the generation is the window's.
///
/// Both levels hold only regions the map granted at `MemoryMap.generation == generation` (plus stack frames,
/// which are the interpreter's own). The map bumps its generation on every grant, revoke and `removeAll`, and the
/// map only changes inside host calls or between runs, so the interpreter calls `revalidate` after every host call
/// and at the start of every run: if the generation moved, everything but the stack is dropped. A revoked region
/// is therefore never reachable through the cache, whoever revoked it (a host function, the host between runs,
/// or another interpreter sharing the map, e.g. a `bpf_loop` callback run from inside a host call).
struct AccessWindow {
    /// Words in memory next to the register file, kept out of CPU registers so the loop's hot values (pc, fuel,
    /// register file) stay in them: the five windows as `lo, len` pairs (stack, load, store, older load, older
    /// store), `generation, count, next, (unused)`, then `recentCount` entries of `lo, len, readWrite`.
    let base: UnsafeMutablePointer<UInt64>

    /// Entries of the second-level table.
    static let recentCount = 8
    private static let generationWord = 10
    private static let countWord = 11
    private static let nextWord = 12
    private static let recentStart = 14
    /// Words the window needs at `base`.
    static let wordCount = recentStart + 3 * recentCount
    /// Words per instruction in the interpreter's `siteRegions`.
    static let siteWords = 4

    var stackLo: UInt64 { base[0] }
    var stackLen: UInt64 { base[1] }
    var loadLo: UInt64 { base[2] }
    var loadLen: UInt64 { base[3] }
    var storeLo: UInt64 { base[4] }
    var storeLen: UInt64 { base[5] }
    var olderLoadLo: UInt64 { base[6] }
    var olderLoadLen: UInt64 { base[7] }
    var olderStoreLo: UInt64 { base[8] }
    var olderStoreLen: UInt64 { base[9] }

    /// Sets up fresh words (before the first run): no generation matches 0, so the first run drops the cache.
    /// Every cached length is at least 8 (a stack frame is 512), so `len &- size` never wraps.
    static func initialize(_ base: UnsafeMutablePointer<UInt64>, stackLo: UInt64, stackLen: UInt64) {
        base.initialize(repeating: 0, count: wordCount)
        base[0] = stackLo
        base[1] = stackLen
        AccessWindow(base: base).forgetRegions()
    }

    /// A window over words set up by `initialize`.
    init(base: UnsafeMutablePointer<UInt64>) {
        self.base = base
    }

    private func set(_ window: Int, _ lo: UInt64, _ len: UInt64) {
        base[2 * window] = lo
        base[2 * window + 1] = len
    }

    private func setLoad(_ lo: UInt64, _ len: UInt64) { set(1, lo, len) }
    private func setStore(_ lo: UInt64, _ len: UInt64) { set(2, lo, len) }

    @inline(__always)
    static func fits(_ a: UInt64, _ size: UInt64, _ lo: UInt64, _ len: UInt64) -> Bool {
        (a &- lo) <= (len &- size)
    }

    @inline(__always)
    func checkLoad(_ a: UInt64, _ size: UInt64, at index: Int, _ vm: Interpreter) throws(RuntimeError) {
        if _fastPath(
            Self.fits(a, size, stackLo, stackLen) || Self.fits(a, size, loadLo, loadLen)
                || Self.fits(a, size, storeLo, storeLen) || Self.fits(a, size, olderLoadLo, olderLoadLen)
                || Self.fits(a, size, olderStoreLo, olderStoreLen))
        {
            return
        }
        if siteAllows(a, size, index, vm) { return }
        try miss(a, size, .load, index, vm)
    }

    @inline(__always)
    func checkStore(
        _ a: UInt64, _ size: UInt64, _ kind: AccessKind, at index: Int, _ vm: Interpreter
    ) throws(RuntimeError) {
        if _fastPath(
            Self.fits(a, size, stackLo, stackLen) || Self.fits(a, size, storeLo, storeLen)
                || Self.fits(a, size, olderStoreLo, olderStoreLen))
        {
            return
        }
        if siteAllows(a, size, index, vm) { return }
        try miss(a, size, kind, index, vm)
    }

    /// Whether the region instruction `index` used last (it allowed the instruction's kind of access) holds the
    /// access. Checked inline before `miss`, without promoting the region: a step of a loop program touches more
    /// regions than the fast windows hold, and each instruction mostly touches one.
    @inline(__always)
    private func siteAllows(_ a: UInt64, _ size: UInt64, _ index: Int, _ vm: Interpreter) -> Bool {
        let site = vm.siteRegions + Self.siteWords &* index
        return site[3] == base[Self.generationWord] && site[1] >= size && Self.fits(a, size, site[0], site[1])
    }

    /// An access outside the fast windows: allowed if a recently used region or the map allows it (the region
    /// then moves into the fast windows); otherwise `vm.violation` throws.
    @inline(never)
    func miss(_ a: UInt64, _ size: UInt64, _ kind: AccessKind, _ index: Int, _ vm: Interpreter) throws(RuntimeError) {
        // (The instruction's own last region was checked inline.)
        let site = vm.siteRegions + Self.siteWords * index
        let generation = base[Self.generationWord]
        let needsWrite = kind != .load
        let recent = base + Self.recentStart
        let count = Int(base[Self.countWord])
        var i = 0
        while i < count {
            let e = recent + 3 * i
            // Entries may be shorter than the access, so the length is compared first.
            if e[1] >= size && Self.fits(a, size, e[0], e[1]) && (e[2] != 0 || !needsWrite) {
                site[0] = e[0]
                site[1] = e[1]
                site[2] = e[2]
                site[3] = generation
                promote(e[0], e[1], readWrite: e[2] != 0)
                return
            }
            i &+= 1
        }
        let memory = vm.memory
        let needs: MemoryRegion.Permissions = kind == .load ? .read : (kind == .store ? .write : .readWrite)
        guard let found = memory.index(containing: a, size: size, permissions: needs) else {
            throw vm.violation(a, size, kind, index)
        }
        let region = memory.bounds(at: found)
        let readWrite = region.permissions.isSuperset(of: .readWrite)
        // Cached: readable regions (read-write ones also answer stores and atomics; write-only regions are
        // searched in the map every time).
        guard region.permissions.contains(.read) else { return }
        site[0] = region.base
        site[1] = region.size
        site[2] = readWrite ? 1 : 0
        site[3] = generation
        remember(region.base, region.size, readWrite: readWrite)
        promote(region.base, region.size, readWrite: readWrite)
    }

    /// Moves a region into the fast windows if they can hold it (at least 8 bytes, as the fast check computes
    /// `len - size` unchecked); the window it replaces becomes the older one of its kind.
    private func promote(_ lo: UInt64, _ len: UInt64, readWrite: Bool) {
        guard len >= 8 else { return }
        if readWrite {
            set(4, storeLo, storeLen)
            setStore(lo, len)
        } else {
            set(3, loadLo, loadLen)
            setLoad(lo, len)
        }
    }

    private func remember(_ lo: UInt64, _ len: UInt64, readWrite: Bool) {
        let next = Int(base[Self.nextWord])
        let e = base + Self.recentStart + 3 * next
        e[0] = lo
        e[1] = len
        e[2] = readWrite ? 1 : 0
        base[Self.nextWord] = UInt64((next + 1) % Self.recentCount)
        if base[Self.countWord] < UInt64(Self.recentCount) { base[Self.countWord] += 1 }
    }

    /// Drops every cached region if the memory map changed (its generation is not the one the cache was filled
    /// under). Call after every host call and at the start of every run.
    @inline(__always)
    func revalidate(_ generation: UInt64) {
        if _slowPath(base[Self.generationWord] != generation) { forgetRegions(newGeneration: generation) }
    }

    @inline(never)
    private func forgetRegions(newGeneration: UInt64) {
        forgetRegions()
        base[Self.generationWord] = newGeneration
    }

    /// Drops every cached region: the fast windows fall back to the stack, the recent table empties.
    private func forgetRegions() {
        for window in 1...4 { set(window, stackLo, stackLen) }
        base[Self.countWord] = 0
        base[Self.nextWord] = 0
    }

    /// After a call or return moved the frame pointer, or at the start of a run: the stack is `[lo, top)`, the
    /// current frame and its callers'; cached entries that pointed into a frame that no longer exists are dropped.
    @inline(__always)
    func setStack(lo: UInt64, top: UInt64, bottom: UInt64) {
        base[0] = lo
        base[1] = top &- lo
        for window in 1...4 where base[2 * window] < lo && base[2 * window] >= bottom { set(window, lo, stackLen) }
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
