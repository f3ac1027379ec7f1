import BPF

/// Runs a ``/BPF/Program`` as x86-64 machine code, with the ``/BPF/Interpreter``'s semantics and safety.
///
/// Behaves exactly as an ``/BPF/Interpreter`` built from the same program, host functions and memory map: the same r0,
/// memory effects, ``/BPF/RuntimeError``s (reason and instruction index), `instructionsExecuted`, budget and
/// cancellation stops. Every load, store and atomic is checked against the current stack window and the
/// granted regions: the check is inline (two compares against the region this instruction last used), the
/// rest is done in Swift. Calls to host functions go through the same ``/BPF/HostFunctions`` table.
///
/// The code lives in pages that are never writable and executable at once (mapped read-write, filled, switched
/// to read-execute, unmapped when the runner is freed). Creating a runner throws ``JITUnavailable`` where that is
/// refused or the machine is not x86-64; ``ProgramRunner`` then falls back to the interpreter.
///
/// Create one runner per program and reuse it: a run allocates nothing. One run at a time and not reentrant
/// (a host function must not run the same runner); `cancellation` may be set from any thread.
public final class JITRunner {
    /// Maximum number of frames (the main program counts as one), as in the interpreter.
    public static let maxCallDepth = Interpreter.maxCallDepth
    /// Stack bytes per frame.
    public static let frameStackSize = Interpreter.frameStackSize

    /// The program being run.
    public let program: Program
    /// Regions the program may access besides its stack. Host functions may grant regions during a run.
    public let memory: MemoryMap
    /// Stops runaway programs: a run fails with `.budgetExhausted` after about this many instructions.
    @exclusivity(unchecked) public var instructionBudget: UInt64 = 1 << 32
    /// Set from any thread to stop the current run with `.cancelled` (cleared at the start of each run).
    public let cancellation = CancellationFlag()
    // The `@exclusivity(unchecked)` vars are touched only in single statements, by `run` or by the Swift entry
    // points JIT code calls while `run` waits (never overlapping), and a runner runs on one thread at a time: the
    // dynamic exclusivity checks (a runtime call each, several per run) are skipped.
    /// Instruction slots executed by the last run, also when it failed (an `lddw` counts as its two slots),
    /// counted as the interpreter counts them.
    @exclusivity(unchecked) public private(set) var instructionsExecuted: UInt64 = 0

    let code: ExecutableMemory
    /// The compiler's tables (its machine code is in `code`).
    private let compiled: CompiledCode
    /// The entry code, and the code of instruction 0 (where most runs start).
    private let enter: JITEntry
    private let mainFunction: UnsafeRawPointer
    private let context: UnsafeMutablePointer<JITContext>
    private let stack: UnsafeMutableRawPointer
    /// Owns the host functions `hostTable` refers to.
    private let hostEntries: [HostFunctions.Entry]
    /// `hostEntries`, unretained: a call borrows its entry instead of retaining it.
    private let hostTable: UnsafeMutablePointer<Unmanaged<HostFunctions.Entry>>
    private let helperIndex: [Int32: Int]
    private let runEntry: RunEntry
    private let stackTop: UInt64
    /// The memory map generation the site windows were filled under.
    @exclusivity(unchecked) private var generation: UInt64 = 0
    /// The interpreter's fuel accounting: instructions accounted for in spent chunks, and the current chunk.
    @exclusivity(unchecked) private var consumed: UInt64 = 0
    @exclusivity(unchecked) private var chunk = 0
    /// An error found by the Swift side of a run (machine-code faults are in the context instead).
    @exclusivity(unchecked) private var pendingError: RuntimeError?
    /// Whether the run stopped in `refuel`, which has already counted the run that ended at the jump or call.
    @exclusivity(unchecked) private var stoppedInRefuel = false
    /// Accesses that went to Swift, and loop guards that did (with how many of those failed): what tests look
    /// at to see which way a program ran.
    @exclusivity(unchecked) package private(set) var slowAccesses = 0
    @exclusivity(unchecked) package private(set) var slowGuards = 0
    @exclusivity(unchecked) package private(set) var failedSlowGuards = 0

    private static let checkInterval: UInt64 = 1 << 16
    private static let stackSize = maxCallDepth * frameStackSize

    /// Compiles `program` to run with `functions`. Calls to helpers or kfuncs missing from `functions` fail when
    /// executed (`.unknownHelper` / `.unknownKfunc`). Throws if this process cannot run JIT code.
    public convenience init(
        program: Program, functions: HostFunctions = HostFunctions(), memory: MemoryMap = MemoryMap()
    ) throws(JITUnavailable) {
        try self.init(program: program, functions: functions, memory: memory, system: .live)
    }

    init(program: Program, functions: HostFunctions, memory: MemoryMap, system: ExecutableMemory.System) throws(JITUnavailable) {
        if let reason = JITAvailability.architectureProblem { throw JITUnavailable(reason: reason) }
        self.program = program
        self.memory = memory
        let bound = BoundProgram(program: program, functions: functions)
        runEntry = RunEntry(program)
        var compiled = JITCompiler.compile(bound, functionEntries: runEntry.functionEntries, entryPoints: JITEntryPoints.all)
        code = try ExecutableMemory(compiled.bytes, system: system)
        codeSize = compiled.bytes.count
        compiled.bytes = []
        self.compiled = compiled
        enter = unsafeBitCast(code.base + compiled.entryOffset, to: JITEntry.self)
        mainFunction = code.base + compiled.instructionOffsets[0]
        hostEntries = bound.hostEntries
        hostTable = .allocate(capacity: max(bound.hostEntries.count, 1))
        for (i, entry) in bound.hostEntries.enumerated() { (hostTable + i).initialize(to: .passUnretained(entry)) }
        helperIndex = bound.helperIndex
        stack = .allocate(byteCount: Self.stackSize, alignment: 16)
        stack.initializeMemory(as: UInt8.self, repeating: 0, count: Self.stackSize)
        stackTop = UInt64(UInt(bitPattern: stack)) + UInt64(Self.stackSize)
        let contextBytes = compiled.memosOffset + compiled.memoCount * CallMemo.size
        let raw = UnsafeMutableRawPointer.allocate(byteCount: contextBytes, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: contextBytes)
        context = raw.bindMemory(to: JITContext.self, capacity: 1)
        context.initialize(to: JITContext())
        context.pointee.stackLastByte = stackTop - 1
        context.pointee.stackLastWord = stackTop - 2
        context.pointee.stackLastDword = stackTop - 4
        context.pointee.stackLastQword = stackTop - 8
        siteWindows.initialize(repeating: .empty, count: compiled.sites.count)
        context.pointee.runner = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        UnsafeMutableRawPointer(context).deallocate()
        stack.deallocate()
        hostTable.deallocate()
    }

    /// The whole stack (all frames), e.g. to recognise stack pointers a program passes to a host function.
    public var stackRegion: MemoryRegion {
        MemoryRegion(
            name: "stack", base: UInt64(UInt(bitPattern: stack)), size: UInt64(Self.stackSize),
            permissions: .readWrite)
    }

    /// Bytes of machine code generated (whole pages are mapped).
    public let codeSize: Int

    private var siteWindows: UnsafeMutablePointer<AccessSiteWindow> {
        (UnsafeMutableRawPointer(context) + JITContext.siteWindowsOffset).assumingMemoryBound(to: AccessSiteWindow.self)
    }

    /// Runs the program with r1…r5 set (r1 is usually a pointer to a host-granted context) and returns r0.
    ///
    /// `entry` starts the run at another function of the program (e.g. a callback a helper invokes, such as
    /// `bpf_loop`'s); it must be the first instruction of a function the program calls or takes the address of.
    public func run(
        entry: Int = 0, _ r1: UInt64 = 0, _ r2: UInt64 = 0, _ r3: UInt64 = 0, _ r4: UInt64 = 0, _ r5: UInt64 = 0
    ) throws(RuntimeError) -> UInt64 {
        if _slowPath(entry != 0 || !runEntry.mainIsRunnable) { try runEntry.check(entry) }
        cancellation.reset()
        let c = context
        c.pointee.r0 = 0
        c.pointee.r1 = r1
        c.pointee.r2 = r2
        c.pointee.r3 = r3
        c.pointee.r4 = r4
        c.pointee.r5 = r5
        c.pointee.r6 = 0
        c.pointee.r7 = 0
        c.pointee.r8 = 0
        c.pointee.r9 = 0
        c.pointee.r10 = stackTop
        c.pointee.stackLow = stackTop - UInt64(Self.frameStackSize)
        c.pointee.depth = 0
        c.pointee.faultCode = MachineFault.noFault.rawValue
        consumed = 0
        chunk = Int(min(instructionBudget, Self.checkInterval))
        c.pointee.fuel = chunk
        stoppedInRefuel = false
        revalidate()
        let function = entry == 0 ? mainFunction : code.base + compiled.instructionOffsets[entry]
        let status = enter(UnsafeMutableRawPointer(c), function)
        instructionsExecuted = consumed + UInt64(chunk &- c.pointee.fuel)
        if status == RunStatus.exited.rawValue { return c.pointee.r0 }
        let index = c.pointee.stopIndex
        if !stoppedInRefuel { instructionsExecuted += UInt64(index + 1 - compiled.chargeStarts[index]) }
        if status == RunStatus.stopped.rawValue { return c.pointee.r0 }
        throw fault(at: index)
    }

    /// The error that stopped a run at `index`.
    private func fault(at index: Int) -> RuntimeError {
        if let pendingError {
            self.pendingError = nil
            return pendingError
        }
        switch MachineFault(rawValue: context.pointee.faultCode) {
        case .callDepthExceeded:
            return RuntimeError(index: index, reason: .callDepthExceeded(limit: Self.maxCallDepth))
        case .misalignedAtomic:
            let size = ISA.Size.bytes(program.instructions[index].opcode)
            return RuntimeError(index: index, reason: .misalignedAtomic(address: context.pointee.faultAddress, size: size))
        case .unboundCall:
            return program.unboundCallError(at: index)
        case .noFault, nil:
            preconditionFailure("JIT code reported a fault without a reason")
        }
    }

    /// Empties every site window if the memory map changed since they were filled (at the start of each run and
    /// after every host call, as the interpreter revalidates its cache).
    @inline(__always)
    private func revalidate() {
        guard generation != memory.generation else { return }
        siteWindows.update(repeating: .empty, count: compiled.sites.count)
        let memos = UnsafeMutableRawPointer(context) + compiled.memosOffset
        for k in 0..<compiled.memoCount { memos.storeBytes(of: 0 as UInt64, toByteOffset: k * CallMemo.size, as: UInt64.self) }
        generation = memory.generation
    }

    private func stop(at index: Int, _ error: RuntimeError?) -> Int32 {
        context.pointee.stopIndex = index
        pendingError = error
        return error == nil ? RunStatus.stopped.rawValue : RunStatus.faulted.rawValue
    }

    // MARK: Called from JIT code (through `JITEntryPoints`)

    /// An access its site's window and the stack window did not allow: allowed if a granted region allows it
    /// (that region becomes the site's window), otherwise the run stops with the interpreter's violation error.
    fileprivate func slowAccess(site: Int, address: UInt64) -> Int32 {
        slowAccesses += 1
        let s = compiled.sites[site]
        let size = UInt64(s.size)
        let c = context.pointee
        if address >= c.stackLow && address <= stackTop - size { return RunStatus.exited.rawValue }
        let needs: MemoryRegion.Permissions = s.kind == .load ? .read : (s.kind == .store ? .write : .readWrite)
        guard let found = memory.index(containing: address, size: size, permissions: needs) else {
            // The reachable stack: this frame and its callers'.
            let stack = MemoryRegion(name: "stack", base: c.stackLow, size: stackTop - c.stackLow, permissions: .readWrite)
            return stop(at: s.index, memory.violation(address: address, size: size, kind: s.kind, at: s.index, stack: stack))
        }
        if s.isConstant {
            siteWindows[site] = .allowed  // its address is this one every time
            return RunStatus.exited.rawValue
        }
        let region = memory.bounds(at: found)
        if let window = AccessSiteWindow(regionBase: region.base, regionSize: region.size, accessSize: size, offset: s.offset) {
            siteWindows[site] = window
        }
        return RunStatus.exited.rawValue
    }

    /// Inlined into its thunk (a call of a kfunc is most of a loop program's step); the failure path is not.
    @inline(__always)
    fileprivate func hostCall(_ host: Int, at index: Int) -> Int32 {
        let c = context
        var call = HostCall(
            r1: c.pointee.r1, r2: c.pointee.r2, r3: c.pointee.r3, r4: c.pointee.r4, r5: c.pointee.r5, memory: memory,
            instructionIndex: index, stackBase: UInt64(UInt(bitPattern: stack)), stackSize: UInt64(Self.stackSize))
        do {
            c.pointee.r0 = try hostTable[host]._withUnsafeGuaranteedRef { entry in try entry.function(&call) }
        } catch {
            return hostCallFailed(host, at: index, error)
        }
        if call.stopRequested { return stop(at: index, nil) }
        revalidate()
        return RunStatus.exited.rawValue
    }

    @inline(never)
    private func hostCallFailed(_ host: Int, at index: Int, _ error: any Error) -> Int32 {
        stop(at: index, RuntimeError(index: index, reason: .hostFunctionFailed(name: hostEntries[host].name, error: error)))
    }

    fileprivate func callx(id: UInt64, at index: Int) -> Int32 {
        guard let host = Int32(exactly: id).flatMap({ helperIndex[$0] }) else {
            return stop(at: index, RuntimeError(index: index, reason: .unknownHelper(id: Int64(bitPattern: id))))
        }
        return hostCall(host, at: index)
    }

    /// Whether a guarded loop's site may skip its checks for base register values in `[low, high]`: if the
    /// whole address range lies in the stack window, or in a granted region that allows the access (which
    /// becomes the site's window). Returns 0 if so, 1 if not (the loop then runs with every check).
    fileprivate func guardRange(low: UInt64, high: UInt64) -> Int32 {
        slowGuards += 1
        let covered = covers(low: low, high: high)
        if !covered { failedSlowGuards += 1 }
        return covered ? 0 : 1
    }

    private func covers(low: UInt64, high: UInt64) -> Bool {
        let s = compiled.sites[context.pointee.guardSite]
        let size = UInt64(s.size)
        let offset = Int64(s.offset)
        func address(_ base: UInt64) -> UInt64? {
            let (a, wrapped) = offset >= 0
                ? base.addingReportingOverflow(UInt64(offset)) : base.subtractingReportingOverflow(offset.magnitude)
            return wrapped ? nil : a
        }
        guard low <= high, let first = address(low), let last = address(high),
            !last.addingReportingOverflow(size).overflow
        else { return false }
        if first >= context.pointee.stackLow && last <= stackTop - size { return true }
        let needs: MemoryRegion.Permissions = s.kind == .load ? .read : (s.kind == .store ? .write : .readWrite)
        guard let found = memory.index(containing: first, size: last - first + size, permissions: needs) else {
            return false
        }
        let region = memory.bounds(at: found)
        if let window = AccessSiteWindow(regionBase: region.base, regionSize: region.size, accessSize: size, offset: s.offset) {
            siteWindows[context.pointee.guardSite] = window
        }
        return true
    }

    /// The interpreter's `refuel`, step for step: enforces the budget and the cancellation flag, then hands out
    /// the next chunk of fuel.
    fileprivate func refuel(at index: Int) -> Int32 {
        let fuel = context.pointee.fuel
        consumed += UInt64(chunk &- fuel)
        chunk = fuel
        if consumed >= instructionBudget {
            stoppedInRefuel = true
            return stop(at: index, RuntimeError(index: index, reason: .budgetExhausted(budget: instructionBudget)))
        }
        if cancellation.isCancelled {
            stoppedInRefuel = true
            return stop(at: index, RuntimeError(index: index, reason: .cancelled))
        }
        let next = Int(min(instructionBudget - consumed, Self.checkInterval))
        chunk = next
        context.pointee.fuel = next
        return RunStatus.exited.rawValue
    }

    /// Calls `body` with the runner of `context`, borrowed: the run in progress keeps it alive, so taking a
    /// reference (an atomic retain and release per call from JIT code) is not needed.
    @inline(__always)
    fileprivate static func with(_ context: UnsafeMutableRawPointer, _ body: (JITRunner) -> Int32) -> Int32 {
        let runner = context.assumingMemoryBound(to: JITContext.self).pointee.runner.unsafelyUnwrapped
        return Unmanaged<JITRunner>.fromOpaque(runner)._withUnsafeGuaranteedRef(body)
    }
}

/// The entry code's signature: (context, address of the function to run) -> `RunStatus`.
typealias JITEntry = @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer) -> Int32

/// The Swift functions JIT code calls, as C function pointers taking the context and two words.
enum JITEntryPoints {
    typealias Function = @convention(c) (UnsafeMutableRawPointer, UInt64, UInt64) -> Int32

    static let access: Function = { context, address, site in
        JITRunner.with(context) { $0.slowAccess(site: Int(site), address: address) }
    }
    static let hostCall: Function = { context, host, index in
        JITRunner.with(context) { $0.hostCall(Int(host), at: Int(index)) }
    }
    static let callx: Function = { context, id, index in
        JITRunner.with(context) { $0.callx(id: id, at: Int(index)) }
    }
    static let refuel: Function = { context, index, _ in
        JITRunner.with(context) { $0.refuel(at: Int(index)) }
    }
    static let guardRange: Function = { context, low, high in
        JITRunner.with(context) { $0.guardRange(low: low, high: high) }
    }

    static var all: RuntimeEntryPoints {
        func address(_ f: Function) -> UInt64 { UInt64(UInt(bitPattern: unsafeBitCast(f, to: UnsafeRawPointer.self))) }
        return RuntimeEntryPoints(
            access: address(access), hostCall: address(hostCall), callx: address(callx), refuel: address(refuel),
            guardRange: address(guardRange))
    }
}
