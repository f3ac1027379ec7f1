/// Runs a ``Program`` over host memory, checking every access against the granted regions.
///
/// BPF pointers are host addresses. Every load, store and atomic must fall inside the current frame's stack (or a
/// caller's), or inside a region of `memory` with the needed permission; otherwise the run stops with
/// `.memoryViolation` and nothing outside the regions is touched. Regions the program used are cached (see
/// `AccessWindow`) for as long as `memory` is unchanged: a grant or revoke, made by a host function, between runs
/// or through another interpreter sharing the map, takes effect at the next access. Local calls get their own
/// 512-byte frame (at most `maxCallDepth` frames; r6–r9 and r10 are restored on return). Helper and kfunc calls go
/// to the ``HostFunctions`` given at creation, resolved once here to a table index. Runaway programs stop at
/// `instructionBudget` or when `cancellation` is set (both checked on taken jumps and calls).
///
/// Create one interpreter per program and reuse it: a run allocates nothing. One run at a time and not
/// reentrant (a host function must not run the same interpreter); `cancellation` may be set from any thread.
public final class Interpreter {
    /// Maximum number of frames (the main program counts as one), as in the kernel.
    public static let maxCallDepth = 8
    /// Stack bytes per frame.
    public static let frameStackSize = 512

    /// The program being run.
    public let program: Program
    /// Regions the program may access besides its stack. Host functions may grant regions during a run.
    public let memory: MemoryMap
    /// Stops runaway programs: a run fails with `.budgetExhausted` after about this many instructions.
    public var instructionBudget: UInt64 {
        get { budget }
        set { budget = newValue }
    }
    /// Set from any thread to stop the current run with `.cancelled` (cleared at the start of each run).
    public let cancellation = CancellationFlag()
    // The `@exclusivity(unchecked)` vars are read and written only in single statements (no access spans a call)
    // and an interpreter runs on one thread at a time, so accesses never overlap: the dynamic exclusivity checks
    // (a runtime call each) are skipped. Public counters are computed properties over them: another module
    // (the `ProgramRunner`) accessing an unchecked stored property directly would still get the check.
    /// Instruction slots executed by the last run, also when it failed (an `lddw` counts as its two slots).
    public var instructionsExecuted: UInt64 { executed }
    @exclusivity(unchecked) private var executed: UInt64 = 0
    @exclusivity(unchecked) private var budget: UInt64 = 1 << 32

    private let code: UnsafeMutablePointer<Slot>
    private let registers: UnsafeMutablePointer<UInt64>
    /// The last region each memory instruction used, by slot index, and which of those are set (see `AccessWindow`).
    private let siteRegions: UnsafeMutablePointer<UInt64>
    private let filledSites: UnsafeMutablePointer<Int32>
    /// A memo per call of a cacheable kfunc (see `callMemoized`); such a call's slot has its memo's index + 1 in `off`.
    private let memos: UnsafeMutablePointer<UInt64>
    private let frames: UnsafeMutablePointer<Frame>
    private let stack: UnsafeMutableRawPointer
    /// Owns the host functions `hostTable` refers to.
    private let hostEntries: [HostFunctions.Entry]
    /// `hostEntries`, unretained: a call borrows its entry instead of retaining its name and closure.
    private let hostTable: UnsafeMutablePointer<Unmanaged<HostFunctions.Entry>>
    private let helperIndex: [Int32: Int]
    private let entry: RunEntry
    @exclusivity(unchecked) private var stopRequested = false
    @exclusivity(unchecked) private var consumed: UInt64 = 0
    @exclusivity(unchecked) private var chunk = 0
    /// Whether the run stopped in `refuel`, which has already counted the run that ended at the jump or call.
    @exclusivity(unchecked) private var stoppedInRefuel = false

    private struct Frame {
        var returnPC: UnsafePointer<Slot>
        var r6, r7, r8, r9, r10: UInt64
    }

    private static let checkInterval: UInt64 = 1 << 16
    private static let stackSize = maxCallDepth * frameStackSize

    /// Prepares `program` to run with `functions`. Calls to helpers or kfuncs missing from `functions` fail when
    /// executed (`.unknownHelper` / `.unknownKfunc`).
    public init(program: Program, functions: HostFunctions = HostFunctions(), memory: MemoryMap = MemoryMap()) {
        self.program = program
        self.memory = memory
        let bound = BoundProgram(program: program, functions: functions)
        let code = UnsafeMutablePointer<Slot>.allocate(capacity: bound.slots.count)
        code.initialize(from: bound.slots, count: bound.slots.count)
        // A memo for each call of a cacheable kfunc; `arguments` holds each one's n.
        var arguments: [UInt64] = []
        for i in 0..<bound.slots.count where code[i].op == .callHelper {
            guard let n = bound.hostEntries[Int(code[i].imm)].cacheableOn else { continue }
            arguments.append(UInt64(n))
            code[i].off = Int32(arguments.count)
        }
        memos = .allocate(capacity: Memo.words * max(arguments.count, 1))
        memos.initialize(repeating: 0, count: Memo.words * max(arguments.count, 1))
        for (k, n) in arguments.enumerated() { memos[k * Memo.words + Memo.argumentCount] = n }
        self.code = code
        self.hostEntries = bound.hostEntries
        hostTable = .allocate(capacity: max(bound.hostEntries.count, 1))
        for (i, entry) in bound.hostEntries.enumerated() { (hostTable + i).initialize(to: .passUnretained(entry)) }
        self.helperIndex = bound.helperIndex
        self.entry = RunEntry(program)
        frames = .allocate(capacity: Self.maxCallDepth)
        siteRegions = .allocate(capacity: AccessWindow.siteWords * max(bound.slots.count, 1))
        filledSites = .allocate(capacity: max(bound.slots.count, 1))
        stack = .allocate(byteCount: Self.stackSize, alignment: 16)
        stack.initializeMemory(as: UInt8.self, repeating: 0, count: Self.stackSize)
        // r0–r10, padding, then the AccessWindow's words.
        registers = .allocate(capacity: 16 + AccessWindow.wordCount)
        registers.initialize(repeating: 0, count: 16)
        let stackTop = UInt64(UInt(bitPattern: stack)) + UInt64(Self.stackSize)
        AccessWindow.initialize(
            registers + 16, sites: siteRegions, slotCount: max(bound.slots.count, 1),
            stackLo: stackTop - UInt64(Self.frameStackSize), stackLen: UInt64(Self.frameStackSize))
    }

    deinit {
        code.deallocate()
        hostTable.deallocate()
        registers.deallocate()
        frames.deallocate()
        siteRegions.deallocate()
        filledSites.deallocate()
        memos.deallocate()
        stack.deallocate()
    }

    /// The whole stack (all frames), e.g. to recognise stack pointers a program passes to a host function.
    public var stackRegion: MemoryRegion {
        MemoryRegion(
            name: "stack", base: UInt64(UInt(bitPattern: stack)), size: UInt64(Self.stackSize),
            permissions: .readWrite)
    }

    /// Runs the program with r1…r5 set (r1 is usually a pointer to a host-granted context) and returns r0.
    ///
    /// `entry` starts the run at another function of the program (e.g. a callback a helper invokes, such as
    /// `bpf_loop`'s); it must be the first instruction of a function the program calls or takes the address of.
    public func run(
        entry: Int = 0, _ r1: UInt64 = 0, _ r2: UInt64 = 0, _ r3: UInt64 = 0, _ r4: UInt64 = 0, _ r5: UInt64 = 0
    ) throws(RuntimeError) -> UInt64 {
        if _slowPath(entry != 0 || !self.entry.mainIsRunnable) { try self.entry.check(entry) }
        cancellation.reset()
        registers.update(repeating: 0, count: 16)
        registers[1] = r1
        registers[2] = r2
        registers[3] = r3
        registers[4] = r4
        registers[5] = r5
        registers[10] = UInt64(UInt(bitPattern: stack)) + UInt64(Self.stackSize)
        return try execute(entry: entry)
    }

    // The hot loop: one function, locals only (no class property access, no ARC, no exclusivity checks).
    private func execute(entry: Int) throws(RuntimeError) -> UInt64 {
        let code = UnsafePointer(self.code)
        let r = registers
        let frames = self.frames
        let stackTop = r[10]
        let frameSize = UInt64(Self.frameStackSize)
        var depth = 0
        // The slot being run. Each case that falls through to the next slot reaches the `pc += 1` after the
        // switch; jumps, calls and returns set `pc` and `continue`. (Incrementing before the switch would keep a
        // second pointer live and make the dispatch block longer.)
        var pc = code + entry
        // Instruction accounting happens only where control flow jumps: `runStart` is where the current
        // straight-line run began, and a taken jump, call or return charges the slots from there through itself to
        // `fuel` (the
        // instructions left before the next budget/cancellation check). Nothing is counted per instruction, so
        // the loop carries no counter. `refuel` accounts for spent chunks.
        consumed = 0
        stoppedInRefuel = false
        chunk = Int(min(budget, Self.checkInterval))
        var fuel = chunk
        var runStart = pc
        // The cache survives from the last run unless the memory map changed since.
        let window = AccessWindow(base: r + 16, code: code, sites: siteRegions, filled: filledSites)
        window.setStack(lo: stackTop &- frameSize, top: stackTop)
        window.revalidate(memory.generation)
        // Each exit accounts for what ran (`executed`); a `defer` would take the address of pc and fuel and keep
        // them in memory for the whole loop.
        do throws(RuntimeError) {
            run: while true {
                let s = SlotRef(pointer: pc)
                // The slot's index, for errors and the memory cache (computed only where used).
                var here: Int { slots(from: code, to: s.pointer) }
                switch s.op {
                case .add64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = a &+ b
                case .add64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = a &+ b
                case .add32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(a &+ b)
                case .add32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(a &+ b)
                case .sub64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = a &- b
                case .sub64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = a &- b
                case .sub32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(a &- b)
                case .sub32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(a &- b)
                case .mul64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = a &* b
                case .mul64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = a &* b
                case .mul32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(a &* b)
                case .mul32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(a &* b)
                case .div64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = b == 0 ? 0 : a / b
                case .div64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = b == 0 ? 0 : a / b
                case .div32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(b == 0 ? 0 : a / b)
                case .div32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(b == 0 ? 0 : a / b)
                case .or64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = a | b
                case .or64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = a | b
                case .or32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(a | b)
                case .or32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(a | b)
                case .and64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = a & b
                case .and64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = a & b
                case .and32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(a & b)
                case .and32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(a & b)
                case .lsh64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = a &<< b
                case .lsh64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = a &<< b
                case .lsh32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(a &<< b)
                case .lsh32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(a &<< b)
                case .rsh64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = a &>> b
                case .rsh64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = a &>> b
                case .rsh32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(a &>> b)
                case .rsh32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(a &>> b)
                case .mod64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = b == 0 ? a : a % b
                case .mod64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = b == 0 ? a : a % b
                case .mod32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(b == 0 ? a : a % b)
                case .mod32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(b == 0 ? a : a % b)
                case .xor64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = a ^ b
                case .xor64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = a ^ b
                case .xor32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(a ^ b)
                case .xor32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(a ^ b)
                case .mov64K:
                    r[Int(s.dst)] = s.imm
                case .mov64X:
                    r[Int(s.dst)] = r[Int(s.src)]
                case .mov32K:
                    r[Int(s.dst)] = UInt64(UInt32(truncatingIfNeeded: s.imm))
                case .mov32X:
                    r[Int(s.dst)] = UInt64(UInt32(truncatingIfNeeded: r[Int(s.src)]))
                case .arsh64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = UInt64(bitPattern: Int64(bitPattern: a) &>> Int64(bitPattern: b & 63))
                case .arsh64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = UInt64(bitPattern: Int64(bitPattern: a) &>> Int64(bitPattern: b & 63))
                case .arsh32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(UInt32(bitPattern: Int32(bitPattern: a) &>> Int32(bitPattern: b & 31)))
                case .arsh32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(UInt32(bitPattern: Int32(bitPattern: a) &>> Int32(bitPattern: b & 31)))
                case .sdiv64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = signedDivide64(a, b)
                case .sdiv64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = signedDivide64(a, b)
                case .sdiv32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(signedDivide32(a, b))
                case .sdiv32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(signedDivide32(a, b))
                case .smod64K:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    r[Int(s.dst)] = signedModulo64(a, b)
                case .smod64X:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    r[Int(s.dst)] = signedModulo64(a, b)
                case .smod32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    r[Int(s.dst)] = UInt64(signedModulo32(a, b))
                case .smod32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    r[Int(s.dst)] = UInt64(signedModulo32(a, b))
                case .neg64:
                    r[Int(s.dst)] = 0 &- r[Int(s.dst)]
                case .neg32:
                    r[Int(s.dst)] = UInt64(0 &- UInt32(truncatingIfNeeded: r[Int(s.dst)]))
                case .movsx8to64:
                    r[Int(s.dst)] = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: r[Int(s.src)])))
                case .movsx16to64:
                    r[Int(s.dst)] = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: r[Int(s.src)])))
                case .movsx32to64:
                    r[Int(s.dst)] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: r[Int(s.src)])))
                case .movsx8to32:
                    r[Int(s.dst)] = UInt64(UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: r[Int(s.src)]))))
                case .movsx16to32:
                    r[Int(s.dst)] = UInt64(UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: r[Int(s.src)]))))
                case .le16:
                    r[Int(s.dst)] = UInt64(UInt16(truncatingIfNeeded: r[Int(s.dst)]).littleEndian)
                case .le32:
                    r[Int(s.dst)] = UInt64(UInt32(truncatingIfNeeded: r[Int(s.dst)]).littleEndian)
                case .le64:
                    r[Int(s.dst)] = r[Int(s.dst)].littleEndian
                case .be16:
                    r[Int(s.dst)] = UInt64(UInt16(truncatingIfNeeded: r[Int(s.dst)]).bigEndian)
                case .be32:
                    r[Int(s.dst)] = UInt64(UInt32(truncatingIfNeeded: r[Int(s.dst)]).bigEndian)
                case .be64:
                    r[Int(s.dst)] = r[Int(s.dst)].bigEndian
                case .swap16:
                    r[Int(s.dst)] = UInt64(UInt16(truncatingIfNeeded: r[Int(s.dst)]).byteSwapped)
                case .swap32:
                    r[Int(s.dst)] = UInt64(UInt32(truncatingIfNeeded: r[Int(s.dst)]).byteSwapped)
                case .swap64:
                    r[Int(s.dst)] = r[Int(s.dst)].byteSwapped
                case .ja:
                    fuel &-= slots(from: runStart, through: pc)
                    if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                    pc = code + Int(s.off)
                    runStart = pc
                    continue
                case .jeqK:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    if a == b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jeqX:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    if a == b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jeq32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    if a == b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jeq32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    if a == b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jgtK:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    if a > b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jgtX:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    if a > b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jgt32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    if a > b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jgt32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    if a > b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jgeK:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    if a >= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jgeX:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    if a >= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jge32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    if a >= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jge32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    if a >= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsetK:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    if a & b != 0 {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsetX:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    if a & b != 0 {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jset32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    if a & b != 0 {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jset32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    if a & b != 0 {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jneK:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    if a != b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jneX:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    if a != b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jne32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    if a != b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jne32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    if a != b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsgtK:
                    let a = Int64(bitPattern: r[Int(s.dst)])
                    let b = Int64(bitPattern: s.imm)
                    if a > b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsgtX:
                    let a = Int64(bitPattern: r[Int(s.dst)])
                    let b = Int64(bitPattern: r[Int(s.src)])
                    if a > b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsgt32K:
                    let a = Int32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = Int32(truncatingIfNeeded: s.imm)
                    if a > b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsgt32X:
                    let a = Int32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = Int32(truncatingIfNeeded: r[Int(s.src)])
                    if a > b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsgeK:
                    let a = Int64(bitPattern: r[Int(s.dst)])
                    let b = Int64(bitPattern: s.imm)
                    if a >= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsgeX:
                    let a = Int64(bitPattern: r[Int(s.dst)])
                    let b = Int64(bitPattern: r[Int(s.src)])
                    if a >= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsge32K:
                    let a = Int32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = Int32(truncatingIfNeeded: s.imm)
                    if a >= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsge32X:
                    let a = Int32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = Int32(truncatingIfNeeded: r[Int(s.src)])
                    if a >= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jltK:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    if a < b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jltX:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    if a < b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jlt32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    if a < b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jlt32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    if a < b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jleK:
                    let a = r[Int(s.dst)]
                    let b = s.imm
                    if a <= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jleX:
                    let a = r[Int(s.dst)]
                    let b = r[Int(s.src)]
                    if a <= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jle32K:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: s.imm)
                    if a <= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jle32X:
                    let a = UInt32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = UInt32(truncatingIfNeeded: r[Int(s.src)])
                    if a <= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsltK:
                    let a = Int64(bitPattern: r[Int(s.dst)])
                    let b = Int64(bitPattern: s.imm)
                    if a < b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsltX:
                    let a = Int64(bitPattern: r[Int(s.dst)])
                    let b = Int64(bitPattern: r[Int(s.src)])
                    if a < b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jslt32K:
                    let a = Int32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = Int32(truncatingIfNeeded: s.imm)
                    if a < b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jslt32X:
                    let a = Int32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = Int32(truncatingIfNeeded: r[Int(s.src)])
                    if a < b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsleK:
                    let a = Int64(bitPattern: r[Int(s.dst)])
                    let b = Int64(bitPattern: s.imm)
                    if a <= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsleX:
                    let a = Int64(bitPattern: r[Int(s.dst)])
                    let b = Int64(bitPattern: r[Int(s.src)])
                    if a <= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsle32K:
                    let a = Int32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = Int32(truncatingIfNeeded: s.imm)
                    if a <= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .jsle32X:
                    let a = Int32(truncatingIfNeeded: r[Int(s.dst)])
                    let b = Int32(truncatingIfNeeded: r[Int(s.src)])
                    if a <= b {
                        fuel &-= slots(from: runStart, through: pc)
                        if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                        pc = code + Int(s.off)
                        runStart = pc
                        continue
                    }
                case .ldxb:
                    let a = r[Int(s.src)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkLoad(a, 1, s.pointer, self)
                    r[Int(s.dst)] = UInt64(load(a, as: UInt8.self))
                case .ldxh:
                    let a = r[Int(s.src)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkLoad(a, 2, s.pointer, self)
                    r[Int(s.dst)] = UInt64(load(a, as: UInt16.self))
                case .ldxw:
                    let a = r[Int(s.src)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkLoad(a, 4, s.pointer, self)
                    r[Int(s.dst)] = UInt64(load(a, as: UInt32.self))
                case .ldxdw:
                    let a = r[Int(s.src)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkLoad(a, 8, s.pointer, self)
                    r[Int(s.dst)] = UInt64(load(a, as: UInt64.self))
                case .ldxsb:
                    let a = r[Int(s.src)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkLoad(a, 1, s.pointer, self)
                    r[Int(s.dst)] = UInt64(bitPattern: Int64(load(a, as: Int8.self)))
                case .ldxsh:
                    let a = r[Int(s.src)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkLoad(a, 2, s.pointer, self)
                    r[Int(s.dst)] = UInt64(bitPattern: Int64(load(a, as: Int16.self)))
                case .ldxsw:
                    let a = r[Int(s.src)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkLoad(a, 4, s.pointer, self)
                    r[Int(s.dst)] = UInt64(bitPattern: Int64(load(a, as: Int32.self)))
                case .stb:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 1, .store, s.pointer, self)
                    store(UInt8(truncatingIfNeeded: s.imm), at: a)
                case .stxb:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 1, .store, s.pointer, self)
                    store(UInt8(truncatingIfNeeded: r[Int(s.src)]), at: a)
                case .sth:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 2, .store, s.pointer, self)
                    store(UInt16(truncatingIfNeeded: s.imm), at: a)
                case .stxh:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 2, .store, s.pointer, self)
                    store(UInt16(truncatingIfNeeded: r[Int(s.src)]), at: a)
                case .stw:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .store, s.pointer, self)
                    store(UInt32(truncatingIfNeeded: s.imm), at: a)
                case .stxw:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .store, s.pointer, self)
                    store(UInt32(truncatingIfNeeded: r[Int(s.src)]), at: a)
                case .stdw:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .store, s.pointer, self)
                    store(UInt64(truncatingIfNeeded: s.imm), at: a)
                case .stxdw:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .store, s.pointer, self)
                    store(UInt64(truncatingIfNeeded: r[Int(s.src)]), at: a)
                case .atomic32Add:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .atomic, s.pointer, self)
                    if _slowPath(a & 3 != 0) { throw misaligned(a, 4, here) }
                    Atomics.add32(a, r, s)
                case .atomic32Or:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .atomic, s.pointer, self)
                    if _slowPath(a & 3 != 0) { throw misaligned(a, 4, here) }
                    Atomics.or32(a, r, s)
                case .atomic32And:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .atomic, s.pointer, self)
                    if _slowPath(a & 3 != 0) { throw misaligned(a, 4, here) }
                    Atomics.and32(a, r, s)
                case .atomic32Xor:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .atomic, s.pointer, self)
                    if _slowPath(a & 3 != 0) { throw misaligned(a, 4, here) }
                    Atomics.xor32(a, r, s)
                case .atomic32FetchAdd:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .atomic, s.pointer, self)
                    if _slowPath(a & 3 != 0) { throw misaligned(a, 4, here) }
                    Atomics.fetchAdd32(a, r, s)
                case .atomic32FetchOr:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .atomic, s.pointer, self)
                    if _slowPath(a & 3 != 0) { throw misaligned(a, 4, here) }
                    Atomics.fetchOr32(a, r, s)
                case .atomic32FetchAnd:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .atomic, s.pointer, self)
                    if _slowPath(a & 3 != 0) { throw misaligned(a, 4, here) }
                    Atomics.fetchAnd32(a, r, s)
                case .atomic32FetchXor:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .atomic, s.pointer, self)
                    if _slowPath(a & 3 != 0) { throw misaligned(a, 4, here) }
                    Atomics.fetchXor32(a, r, s)
                case .atomic32Xchg:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .atomic, s.pointer, self)
                    if _slowPath(a & 3 != 0) { throw misaligned(a, 4, here) }
                    Atomics.xchg32(a, r, s)
                case .atomic32Cmpxchg:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 4, .atomic, s.pointer, self)
                    if _slowPath(a & 3 != 0) { throw misaligned(a, 4, here) }
                    Atomics.cmpxchg32(a, r, s)
                case .atomic64Add:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .atomic, s.pointer, self)
                    if _slowPath(a & 7 != 0) { throw misaligned(a, 8, here) }
                    Atomics.add64(a, r, s)
                case .atomic64Or:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .atomic, s.pointer, self)
                    if _slowPath(a & 7 != 0) { throw misaligned(a, 8, here) }
                    Atomics.or64(a, r, s)
                case .atomic64And:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .atomic, s.pointer, self)
                    if _slowPath(a & 7 != 0) { throw misaligned(a, 8, here) }
                    Atomics.and64(a, r, s)
                case .atomic64Xor:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .atomic, s.pointer, self)
                    if _slowPath(a & 7 != 0) { throw misaligned(a, 8, here) }
                    Atomics.xor64(a, r, s)
                case .atomic64FetchAdd:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .atomic, s.pointer, self)
                    if _slowPath(a & 7 != 0) { throw misaligned(a, 8, here) }
                    Atomics.fetchAdd64(a, r, s)
                case .atomic64FetchOr:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .atomic, s.pointer, self)
                    if _slowPath(a & 7 != 0) { throw misaligned(a, 8, here) }
                    Atomics.fetchOr64(a, r, s)
                case .atomic64FetchAnd:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .atomic, s.pointer, self)
                    if _slowPath(a & 7 != 0) { throw misaligned(a, 8, here) }
                    Atomics.fetchAnd64(a, r, s)
                case .atomic64FetchXor:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .atomic, s.pointer, self)
                    if _slowPath(a & 7 != 0) { throw misaligned(a, 8, here) }
                    Atomics.fetchXor64(a, r, s)
                case .atomic64Xchg:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .atomic, s.pointer, self)
                    if _slowPath(a & 7 != 0) { throw misaligned(a, 8, here) }
                    Atomics.xchg64(a, r, s)
                case .atomic64Cmpxchg:
                    let a = r[Int(s.dst)] &+ UInt64(bitPattern: Int64(s.off))
                    try window.checkStore(a, 8, .atomic, s.pointer, self)
                    if _slowPath(a & 7 != 0) { throw misaligned(a, 8, here) }
                    Atomics.cmpxchg64(a, r, s)
                case .lddw:
                    r[Int(s.dst)] = s.imm
                    pc += 1
                case .callHelper:
                    if s.off != 0 {
                        let m = memos + (Int(s.off) &- 1) &* Memo.words
                        if let answer = Memo.answer(m, r, generation: window.generation) {
                            r[0] = answer
                            pc += 1
                            continue
                        }
                        r[0] = try callMemoized(Int(s.imm), m, at: here)
                    } else {
                        r[0] = try callHost(Int(s.imm), at: here)
                    }
                    if _slowPath(stopRequested) { break run }
                    window.revalidate(memory.generation)
                case .callx:
                    let id = r[Int(s.dst)]
                    guard let host = Int32(exactly: id).flatMap({ helperIndex[$0] }) else {
                        throw RuntimeError(index: here, reason: .unknownHelper(id: Int64(bitPattern: id)))
                    }
                    r[0] = try callHost(host, at: here)
                    if _slowPath(stopRequested) { break run }
                    window.revalidate(memory.generation)
                case .unboundCall:
                    throw unboundCall(at: here)
                case .callLocal:
                    if _slowPath(depth + 1 >= Self.maxCallDepth) {
                        throw RuntimeError(index: here, reason: .callDepthExceeded(limit: Self.maxCallDepth))
                    }
                    fuel &-= slots(from: runStart, through: pc)
                    if _slowPath(fuel < 0) { fuel = try refuel(fuel, at: here) }
                    frames[depth] = Frame(returnPC: pc + 1, r6: r[6], r7: r[7], r8: r[8], r9: r[9], r10: r[10])
                    depth &+= 1
                    r[10] = r[10] &- frameSize
                    window.setStack(lo: r[10] &- frameSize, top: stackTop)
                    pc = code + Int(s.off)
                    runStart = pc
                    continue
                case .exit:
                    if depth == 0 { break run }
                    depth &-= 1
                    fuel &-= slots(from: runStart, through: pc)
                    let f = frames[depth]
                    r[6] = f.r6; r[7] = f.r7; r[8] = f.r8; r[9] = f.r9; r[10] = f.r10
                    pc = f.returnPC
                    runStart = pc
                    window.setStack(lo: r[10] &- frameSize, top: stackTop)
                    continue
                }
                pc += 1
            }
        } catch {
            executed = consumed + UInt64(chunk &- fuel) + (stoppedInRefuel ? 0 : UInt64(slots(from: runStart, through: pc)))
            throw error
        }
        executed = consumed + UInt64(chunk &- fuel) + UInt64(slots(from: runStart, through: pc))
        return r[0]
    }

    /// Called on a taken jump or call once the current chunk of fuel is spent: enforces the budget and the
    /// cancellation flag, then hands out the next chunk.
    @inline(never)
    func refuel(_ fuel: Int, at index: Int) throws(RuntimeError) -> Int {
        consumed += UInt64(chunk &- fuel)
        chunk = fuel  // what is left of this chunk is already accounted for
        if consumed >= budget {
            stoppedInRefuel = true
            throw RuntimeError(index: index, reason: .budgetExhausted(budget: budget))
        }
        if cancellation.isCancelled {
            stoppedInRefuel = true
            throw RuntimeError(index: index, reason: .cancelled)
        }
        let next = Int(min(budget - consumed, Self.checkInterval))
        chunk = next
        return next
    }

    /// The error for an access no region allows, naming the nearest region (the reachable stack included).
    @inline(never)
    func violation(_ address: UInt64, _ size: UInt64, _ kind: AccessKind, _ index: Int) -> RuntimeError {
        let window = AccessWindow(base: registers + 16, code: code, sites: siteRegions, filled: filledSites)
        let reachable = MemoryRegion(name: "stack", base: window.stackLo, size: window.stackLen, permissions: .readWrite)
        return memory.violation(address: address, size: size, kind: kind, at: index, stack: reachable)
    }

    private func misaligned(_ address: UInt64, _ size: Int, _ index: Int) -> RuntimeError {
        RuntimeError(index: index, reason: .misalignedAtomic(address: address, size: size))
    }

    @inline(never)
    private func callHost(_ host: Int, at index: Int) throws(RuntimeError) -> UInt64 {
        let r = registers
        var call = HostCall(
            r1: r[1], r2: r[2], r3: r[3], r4: r[4], r5: r[5], memory: memory, instructionIndex: index,
            stackBase: UInt64(UInt(bitPattern: stack)), stackSize: UInt64(Self.stackSize))
        let result: UInt64
        do {
            result = try hostTable[host]._withUnsafeGuaranteedRef { entry in try entry.function(&call) }
        } catch {
            throw RuntimeError(index: index, reason: .hostFunctionFailed(name: hostEntries[host].name, error: error))
        }
        stopRequested = call.stopRequested
        return result
    }

    /// Calls a cacheable kfunc (``HostFunctions/registerKfunc(name:btfID:cacheableOn:_:)``) that its memo `m`
    /// could not answer, and records the answer there. A call that fails or stops the run records nothing.
    @inline(never)
    private func callMemoized(_ host: Int, _ m: UnsafeMutablePointer<UInt64>, at index: Int) throws(RuntimeError) -> UInt64 {
        let result = try callHost(host, at: index)
        if !stopRequested {
            // Tagged with the generation after the call: a first call may grant what it returns.
            m[Memo.generation] = memory.generation
            for k in stride(from: 1, through: Int(m[Memo.argumentCount]), by: 1) { m[k] = registers[k] }
            m[Memo.result] = result
        }
        return result
    }

    /// The memo of a cacheable kfunc's call instruction, as the JIT keeps one: its words are the memory map's
    /// generation at the last call (0: none; the map's is never 0), r1…r5 then, the result, and n (the arguments
    /// the result depends on).
    private enum Memo {
        static let words = 8
        static let generation = 0
        static let result = 6
        static let argumentCount = 7

        /// The recorded result, if the map is unchanged since the call and r1…rn are the same.
        @inline(__always)
        static func answer(_ m: UnsafeMutablePointer<UInt64>, _ r: UnsafeMutablePointer<UInt64>, generation: UInt64) -> UInt64? {
            guard m[Self.generation] == generation else { return nil }
            for k in stride(from: 1, through: Int(m[argumentCount]), by: 1) where m[k] != r[k] { return nil }
            return m[result]
        }
    }

    @inline(never)
    private func unboundCall(at index: Int) -> RuntimeError {
        program.unboundCallError(at: index)
    }
}

/// The slots from `start` to `end`, which is not before it (unsigned, so the division is a shift).
@inline(__always)
func slots(from start: UnsafePointer<Slot>, to end: UnsafePointer<Slot>) -> Int {
    Int(bitPattern: UInt(bitPattern: UnsafeRawPointer(end) - UnsafeRawPointer(start)) / UInt(MemoryLayout<Slot>.stride))
}

/// The slots from `start` up to and including `last`.
@inline(__always)
func slots(from start: UnsafePointer<Slot>, through last: UnsafePointer<Slot>) -> Int {
    slots(from: start, to: last + 1)
}

@inline(__always)
func signedDivide64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = Int64(bitPattern: a), y = Int64(bitPattern: b)
    if y == 0 { return 0 }
    if y == -1 { return UInt64(bitPattern: 0 &- x) }
    return UInt64(bitPattern: x / y)
}

@inline(__always)
func signedModulo64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = Int64(bitPattern: a), y = Int64(bitPattern: b)
    if y == 0 { return a }
    if y == -1 { return 0 }
    return UInt64(bitPattern: x % y)
}

@inline(__always)
func signedDivide32(_ a: UInt32, _ b: UInt32) -> UInt32 {
    let x = Int32(bitPattern: a), y = Int32(bitPattern: b)
    if y == 0 { return 0 }
    if y == -1 { return UInt32(bitPattern: 0 &- x) }
    return UInt32(bitPattern: x / y)
}

@inline(__always)
func signedModulo32(_ a: UInt32, _ b: UInt32) -> UInt32 {
    let x = Int32(bitPattern: a), y = Int32(bitPattern: b)
    if y == 0 { return a }
    if y == -1 { return 0 }
    return UInt32(bitPattern: x % y)
}
