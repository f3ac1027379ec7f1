/// The words JIT code and the Swift runtime share. While JIT code runs, x86 r12 points here; the site windows
/// (one `AccessSiteWindow` per checked memory instruction) follow at `siteWindowsOffset`.
///
/// BPF registers live in x86 registers while JIT code runs; they are written here only when Swift needs them
/// (entry, exit, host calls, slow paths) and read back afterwards.
struct JITContext {
    var r0: UInt64 = 0, r1: UInt64 = 0, r2: UInt64 = 0, r3: UInt64 = 0, r4: UInt64 = 0, r5: UInt64 = 0
    var r6: UInt64 = 0, r7: UInt64 = 0, r8: UInt64 = 0, r9: UInt64 = 0, r10: UInt64 = 0
    /// Instructions left before the next budget/cancellation check (the interpreter's `fuel`).
    var fuel: Int = 0
    /// rsp inside the entry code, restored to unwind all BPF frames at once when a run stops early.
    var entryStackPointer: UInt64 = 0
    /// Low end of the stack window: the current frame's (r10 - 512). The window is `[stackLow, stackTop)`.
    var stackLow: UInt64 = 0
    /// stackTop - n for n = 1, 2, 4, 8: the highest address where an n-byte access fits below the stack top.
    var stackLastByte: UInt64 = 0, stackLastWord: UInt64 = 0, stackLastDword: UInt64 = 0, stackLastQword: UInt64 = 0
    /// Frames below the main one (0 in the main program), as the interpreter counts them.
    var depth: Int = 0
    /// Set by the code that stops a run early: the instruction, and for faults found in machine code, what.
    var stopIndex: Int = 0
    var faultCode: Int = 0
    var faultAddress: UInt64 = 0
    /// Saves rdx (BPF r3) across a division.
    var spill: UInt64 = 0
    /// The site a loop guard asks Swift about.
    var guardSite: Int = 0
    /// While a counted loop runs a batch: the counter value at which the batch ends, and the value below which
    /// a whole unrolled block still fits in it (`JITCompiler+CountedLoops`).
    var batchLimit: UInt64 = 0
    var unrolledLimit: UInt64 = 0
    /// The ``JITRunner`` (unretained), for the Swift entry points JIT code calls.
    var runner: UnsafeMutableRawPointer? = nil

    static func offset(_ field: PartialKeyPath<JITContext>) -> Int32 {
        Int32(MemoryLayout<JITContext>.offset(of: field)!)
    }

    /// Offsets of the BPF registers' save slots, by register number.
    static let registerOffsets = [\JITContext.r0, \.r1, \.r2, \.r3, \.r4, \.r5, \.r6, \.r7, \.r8, \.r9, \.r10].map { offset($0) }

    /// Offsets of `stackTop - size` for accesses of 1, 2, 4 and 8 bytes.
    private static let stackLastOffsets = [\JITContext.stackLastByte, \.stackLastWord, \.stackLastDword, \.stackLastQword].map { offset($0) }

    /// Offset of `stackTop - size` for an access of `size` bytes.
    static func stackLastOffset(size: Int) -> Int32 {
        stackLastOffsets[size.trailingZeroBitCount]
    }

    /// Where the site windows start.
    static let siteWindowsOffset = (MemoryLayout<JITContext>.size + 15) & ~15

    /// Offset of site `site`'s window.
    static func siteWindowOffset(_ site: Int) -> Int32 {
        Int32(siteWindowsOffset + site * MemoryLayout<AccessSiteWindow>.stride)
    }
}

/// What a checked memory instruction may access without asking Swift: base-register values in `[low, high]`
/// (the site's offset already subtracted, so the check is two compares on the register). An empty window
/// (`low > high`) sends every access to the slow path.
///
/// A window holds only a region of the `MemoryMap` at the generation the runner last saw; every window is
/// emptied when the generation moves (after host calls and at the start of each run), so a revoked region is
/// never reachable through a window.
struct AccessSiteWindow {
    var low: UInt64
    var high: UInt64

    static let empty = AccessSiteWindow(low: .max, high: 0)
    /// The window of a site with a constant address (`AccessSite.isConstant`) that was allowed under the current
    /// generation: JIT code tests only `high` (non-zero), at this offset; `empty` has it zero.
    static let allowed = AccessSiteWindow(low: .max, high: 1)
    static let allowedOffset = Int32(MemoryLayout<AccessSiteWindow>.offset(of: \.high)!)

    /// The window for `size`-byte accesses at `base + offset` inside `[regionBase, regionBase + regionSize)`,
    /// or nil when the bounds, moved by `offset`, would wrap around the address space (then the two compares
    /// would not be exact, and the site stays on the slow path).
    init?(regionBase: UInt64, regionSize: UInt64, accessSize: UInt64, offset: Int32) {
        guard regionSize >= accessSize else { return nil }
        let last = regionBase + (regionSize - accessSize)  // no overflow: a granted region does not wrap
        let delta = Int64(offset)
        if delta >= 0 {
            let d = UInt64(delta)
            guard regionBase >= d else { return nil }
            self.init(low: regionBase - d, high: last - d)
        } else {
            let d = delta.magnitude
            let (low, o1) = regionBase.addingReportingOverflow(d)
            let (high, o2) = last.addingReportingOverflow(d)
            guard !o1 && !o2 else { return nil }
            self.init(low: low, high: high)
        }
    }

    init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }
}
