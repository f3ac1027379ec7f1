/// The interpreter's memory-check cache.
///
/// The fast check, inlined at every load, store and atomic, looks at two things: the region the same instruction
/// used last, its *site*, then the current stack (this frame and its callers'). Most instructions always touch the
/// same region, so from its second run on an instruction's access costs one compare. A site is two words per
/// instruction slot in `sites`, `lo` and `span`, where `span` is the region's length minus the instruction's access
/// size plus one (the size is fixed per instruction), so the check is `a - lo < span`; a span of 0 (an empty site)
/// allows nothing.
///
/// A miss goes to `miss`, which looks in a small table of recently used regions (`recentCount` entries, filled
/// round-robin; it serves instructions that have not run yet or that move between regions) before searching the
/// `MemoryMap`, and makes the region the instruction's site.
///
/// Both hold only regions the map granted at `MemoryMap.generation == generation` (the stack is the
/// interpreter's own). The map bumps its generation on every grant, revoke and `removeAll`, and the map only
/// changes inside host calls or between runs, so the interpreter calls `revalidate` after every host call and at
/// the start of every run: if the generation moved, every site and the recent table are emptied. The sites set
/// since the last emptying are listed in `filled`, so emptying costs what filling them did. A revoked region is
/// therefore never reachable through the cache, whoever revoked it (a host function, the host between runs, or
/// another interpreter sharing the map, e.g. a `bpf_loop` callback run from inside a host call).
struct AccessWindow {
    /// Words in memory next to the register file, kept out of CPU registers so the loop's hot values (pc, fuel,
    /// register file) stay in them: the stack as `lo, len`, `generation, count, next, filledCount`, then
    /// `recentCount` entries of `lo, len, readWrite`.
    let base: UnsafeMutablePointer<UInt64>
    /// `siteWords` words per instruction slot: `lo, span`.
    let sites: UnsafeMutablePointer<UInt64>
    /// From a slot to its site, in bytes: a site takes as many bytes as a slot, so the two arrays run in parallel.
    let siteOffset: Int
    /// The program's first slot.
    let code: UnsafePointer<Slot>
    /// The slot indices of the non-empty sites (the first `filledCount`).
    let filled: UnsafeMutablePointer<Int32>

    /// Entries of the recent-regions table.
    static let recentCount = 8
    private static let generationWord = 2
    private static let countWord = 3
    private static let nextWord = 4
    private static let filledCountWord = 5
    private static let recentStart = 6
    /// Words the window needs at `base`.
    static let wordCount = recentStart + 3 * recentCount
    /// Words per instruction slot in `sites`.
    static let siteWords = 2

    var stackLo: UInt64 { base[0] }
    var stackLen: UInt64 { base[1] }
    /// The map's generation the cached regions were granted under.
    var generation: UInt64 {
        @inline(__always) get { base[Self.generationWord] }
    }

    /// Sets up fresh words and empty sites (before the first run); no map's generation is 0, so the first run
    /// starts by emptying the (already empty) cache.
    static func initialize(
        _ base: UnsafeMutablePointer<UInt64>, sites: UnsafeMutablePointer<UInt64>, slotCount: Int,
        stackLo: UInt64, stackLen: UInt64
    ) {
        base.initialize(repeating: 0, count: wordCount)
        base[0] = stackLo
        base[1] = stackLen
        sites.initialize(repeating: 0, count: siteWords * slotCount)
    }

    /// A window over words set up by `initialize`, for the program whose first slot is at `code`.
    init(
        base: UnsafeMutablePointer<UInt64>, code: UnsafePointer<Slot>, sites: UnsafeMutablePointer<UInt64>,
        filled: UnsafeMutablePointer<Int32>
    ) {
        assert(MemoryLayout<Slot>.stride == Self.siteWords * MemoryLayout<UInt64>.stride)
        self.base = base
        self.sites = sites
        siteOffset = UnsafeRawPointer(sites) - UnsafeRawPointer(code)
        self.code = code
        self.filled = filled
    }

    @inline(__always)
    static func fits(_ a: UInt64, _ size: UInt64, _ lo: UInt64, _ len: UInt64) -> Bool {
        (a &- lo) <= (len &- size)
    }

    /// Checks a load by the instruction in `slot`.
    @inline(__always)
    func checkLoad(_ a: UInt64, _ size: UInt64, _ slot: UnsafePointer<Slot>, _ vm: Interpreter) throws(RuntimeError) {
        if _fastPath(siteAllows(a, slot) || Self.fits(a, size, stackLo, stackLen)) { return }
        try miss(a, size, .load, slots(from: code, to: slot), vm)
    }

    /// Checks a store or atomic by the instruction in `slot`.
    @inline(__always)
    func checkStore(
        _ a: UInt64, _ size: UInt64, _ kind: AccessKind, _ slot: UnsafePointer<Slot>, _ vm: Interpreter
    ) throws(RuntimeError) {
        if _fastPath(siteAllows(a, slot) || Self.fits(a, size, stackLo, stackLen)) { return }
        try miss(a, size, kind, slots(from: code, to: slot), vm)
    }

    /// Whether the instruction's site (a region that allowed its kind and size of access) holds `a`.
    @inline(__always)
    private func siteAllows(_ a: UInt64, _ slot: UnsafePointer<Slot>) -> Bool {
        let site = (UnsafeRawPointer(slot) + siteOffset).assumingMemoryBound(to: UInt64.self)
        return (a &- site[0]) < site[1]
    }

    /// An access outside the stack and the instruction's site: allowed if a recently used region or the map allows
    /// it (the region then becomes the instruction's site); otherwise `vm.violation` throws.
    @inline(never)
    func miss(_ a: UInt64, _ size: UInt64, _ kind: AccessKind, _ index: Int, _ vm: Interpreter) throws(RuntimeError) {
        let needsWrite = kind != .load
        let recent = base + Self.recentStart
        let count = Int(base[Self.countWord])
        var i = 0
        while i < count {
            let e = recent + 3 * i
            // Entries may be shorter than the access, so the length is compared first.
            if e[1] >= size && Self.fits(a, size, e[0], e[1]) && (e[2] != 0 || !needsWrite) {
                setSite(index, lo: e[0], len: e[1], size: size)
                return
            }
            i &+= 1
        }
        let needs: MemoryRegion.Permissions = kind == .load ? .read : (kind == .store ? .write : .readWrite)
        guard let found = vm.memory.index(containing: a, size: size, permissions: needs) else {
            throw vm.violation(a, size, kind, index)
        }
        let region = vm.memory.bounds(at: found)
        // The site may hold any region that allowed this access: the same instruction only ever makes the same kind
        // and size of access. The shared table holds readable regions only (read-write ones also answer stores and
        // atomics; write-only regions are searched in the map by every other instruction).
        setSite(index, lo: region.base, len: region.size, size: size)
        if region.permissions.contains(.read) {
            remember(region.base, region.size, readWrite: region.permissions.isSuperset(of: .readWrite))
        }
    }

    /// Makes `[lo, lo + len)` the site of the instruction at `index`, whose accesses are `size` bytes.
    private func setSite(_ index: Int, lo: UInt64, len: UInt64, size: UInt64) {
        let site = sites + Self.siteWords * index
        if site[1] == 0 {
            filled[Int(base[Self.filledCountWord])] = Int32(index)
            base[Self.filledCountWord] += 1
        }
        site[0] = lo
        site[1] = len - size + 1  // the region holds this access, so len >= size
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

    /// Empties the cache if the memory map changed (its generation is not the one the cache was filled under).
    /// Call after every host call and at the start of every run.
    @inline(__always)
    func revalidate(_ generation: UInt64) {
        if _slowPath(base[Self.generationWord] != generation) { forgetRegions(newGeneration: generation) }
    }

    @inline(never)
    private func forgetRegions(newGeneration: UInt64) {
        for k in 0..<Int(base[Self.filledCountWord]) {
            sites[Self.siteWords * Int(filled[k]) + 1] = 0
        }
        base[Self.filledCountWord] = 0
        base[Self.countWord] = 0
        base[Self.nextWord] = 0
        base[Self.generationWord] = newGeneration
    }

    /// After a call or return moved the frame pointer, or at the start of a run: the stack is `[lo, top)`, the
    /// current frame and its callers'. (No site holds the stack, so nothing cached points into a gone frame.)
    @inline(__always)
    func setStack(lo: UInt64, top: UInt64) {
        base[0] = lo
        base[1] = top &- lo
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
