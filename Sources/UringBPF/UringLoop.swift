import BPFJIT
import BPFObject
import Uring

#if canImport(Glibc)
import Glibc
#endif

/// A BPF-controlled io_uring loop: a ring plus the `loop_step` that drives it, run either by the kernel
/// (Linux 7.1+, `io_uring_bpf_ops` attached to the ring) or by our engine over the same real ring.
///
/// A run is the equivalent of `io_uring_enter` on a ring with the program attached: it returns when `loop_step`
/// returns STOP and fails otherwise with a ``LoopError`` that carries the kernel's errno.
///
/// ## Threads
/// The loop owns a thread. The ring is created there and every run, ``withRing(_:)`` and teardown happen there, so the
/// ring's SINGLE_ISSUER|DEFER_TASKRUN submitter never changes: a loop can be created on one thread or task and run from
/// any other, and from any actor. The synchronous ``run()-6v7b0`` blocks its caller until the run ends; the async
/// ``run()-97i3n`` suspends the calling task and never blocks the cooperative pool. Runs of one loop happen one after
/// another. The loop's thread blocks all signals but `SIGURG` (see ``interrupt()``), so the application's signal
/// handlers keep working and its signals never end a run unless ``LoopOptions/interruptingSignals`` asks for it.
///
/// ## Ending a run early
/// ``interrupt()`` (from any thread), ``LoopOptions/timeout`` and cancelling the task awaiting ``run()-97i3n`` end the
/// run with ``LoopErrorKind/interrupted``, ``LoopErrorKind/timedOut`` or
/// ``LoopErrorKind/cancelled`` within a few milliseconds, in user mode and in kernel mode. The program's
/// state is kept; running again resumes it, as after EINTR from the kernel.
///
/// ## Memory
/// ``globals``, ``memory`` and ``map(named:)`` read and write the program's memory in place and keep it alive, so
/// they stay valid after the loop is gone. Use them between runs: during a run the program changes the same memory.
public final class UringLoop: @unchecked Sendable {
    /// The mode the loop runs in (never `.auto`).
    public let mode: LoopMode
    /// Whether SQ_REWIND is emulated (the kernel lacks it) rather than native.
    public let emulatesSQRewind: Bool
    /// User mode: the engine that runs the BPF program, and why it is not the one ``LoopOptions/engine`` asked for,
    /// when it is not (the JIT cannot run here); nil in kernel mode and for a step written in Swift.
    public let engine: (engine: ExecutionEngine, fallbackReason: String?)?

    private let backend: LoopBackend
    private let thread: LoopThread
    private let options: LoopOptions
    private let lock = Mutex()
    /// Runs started and not yet ended (the one in progress, and any queued behind it).
    private var activeRuns: [RunControl] = []
    private var statistics = LoopStatistics()

    /// Loads the `io_uring_bpf_ops` loop program of `object` for a new ring set up by `options`.
    public init(object: ObjectFile, options: LoopOptions = LoopOptions()) throws(LoopError) {
        let mode = try Self.resolve(options.mode)
        let thread = LoopThread()
        let backend = try thread.perform { () throws(LoopError) -> LoopBackend in
            if mode == .kernel { return try KernelLoop(object: object, options: options) }
            return try UserLoop(engine: try UserLoopEngine(options: options), object: object, options: options)
        }
        (self.mode, self.thread, self.backend, self.options) = (mode, thread, backend, options)
        emulatesSQRewind = backend.emulatesSQRewind
        engine = (backend as? UserLoop)?.executionEngine
        statistics = backend.emptyStatistics
    }

    /// A loop whose step is written in Swift, with the same powers and semantics as a BPF `loop_step` (always user
    /// mode: the kernel cannot run Swift). `step` is called on the loop's thread, one call at a time, only during a
    /// run; state it shares with the caller can be read between runs.
    public init(options: LoopOptions = LoopOptions(), step: @escaping LoopStep) throws(LoopError) {
        guard options.mode != .kernel else {
            throw LoopError(.modeUnavailable, "a loop written in Swift runs in user mode only")
        }
        let thread = LoopThread()
        nonisolated(unsafe) let step = step
        let backend = try thread.perform { () throws(LoopError) -> LoopBackend in
            UserLoop(engine: try UserLoopEngine(options: options), step: step)
        }
        (self.mode, self.thread, self.backend, self.options) = (.user, thread, backend, options)
        emulatesSQRewind = backend.emulatesSQRewind
        engine = nil
    }

    deinit { thread.stop() }

    // MARK: Running

    /// Runs the loop until `loop_step` returns STOP, blocking the calling thread; see ``LoopError`` for the errors.
    public func run() throws(LoopError) -> LoopStatistics {
        let control = begin()
        return try thread.perform { () throws(LoopError) -> LoopStatistics in try execute(control) }
    }

    /// Runs the loop until `loop_step` returns STOP while the calling task is suspended. Cancelling the task ends
    /// the run with ``LoopErrorKind/cancelled``.
    public nonisolated(nonsending) func run() async throws(LoopError) -> LoopStatistics {
        let control = begin()
        let result = await withTaskCancellationHandler {
            await thread.perform { () -> Result<LoopStatistics, LoopError> in
                Result { () throws(LoopError) in try self.execute(control) }
            }
        } onCancel: {
            LoopWaker.raise(.cancelled, control)
        }
        return try result.get()
    }

    /// Ends the run in progress (and any run already started and waiting for it) with
    /// ``LoopErrorKind/interrupted``; does nothing when no run is in progress. Callable from any
    /// thread or task.
    public func interrupt() {
        for control in lock.withLock({ activeRuns }) { LoopWaker.raise(.interrupted, control) }
    }

    /// The statistics of the last run, also when it failed.
    public var lastStatistics: LoopStatistics { lock.withLock { statistics } }

    private func begin() -> RunControl {
        let control = RunControl(thread: thread.handle, signals: options.interruptingSignals)
        lock.withLock { activeRuns.append(control) }
        return control
    }

    /// One run, on the loop's thread.
    private func execute(_ control: RunControl) throws(LoopError) -> LoopStatistics {
        LoopWaker.begin(control, timeout: options.timeout)
        defer {
            LoopWaker.end(control)
            let last = backend.lastStatistics
            lock.withLock {
                activeRuns.removeAll { $0 === control }
                statistics = last
            }
        }
        return try backend.run(control)
    }

    // MARK: Memory

    /// The program's global variables, live (empty for a loop written in Swift).
    public var globals: GlobalVariables { backend.globals }

    /// The registered MEM region, if ``LoopOptions/memSize`` asked for one.
    public var memory: LoopMemory? { backend.memory }

    /// The program's map called `name`, for lookups, updates, deletes and iteration from Swift.
    public func map(named name: String) throws(LoopError) -> LoopMap { try backend.map(named: name) }

    /// The map `name` names, with its key and value types.
    public func map<Key, Value>(_ name: MapName<Key, Value>) throws(LoopError) -> TypedLoopMap<Key, Value> {
        try map(named: name.name).typed(Key.self, Value.self)
    }

    /// Gives `body` the ring on the loop's thread (e.g. to register files before a run, or to inspect it after).
    public func withRing<R, E: Error>(_ body: (inout IoUring) throws(E) -> R) throws(E) -> R {
        try thread.perform { () throws(E) -> R in try backend.withRing(body) }
    }

    // MARK: Setup

    private static func resolve(_ mode: LoopMode) throws(LoopError) -> LoopMode {
        switch mode {
        case .user: return .user
        case .kernel, .auto:
            let support = KernelLoopSupport.probe()
            if mode == .auto { return support.available ? .kernel : .user }
            guard support.available else { throw LoopError(.modeUnavailable, support.reason) }
            return .kernel
        }
    }
}

/// What a mode provides to ``UringLoop``: a run, the program's memory, the ring. Called on the loop's thread,
/// except the memory views, which are safe from any thread.
protocol LoopBackend: AnyObject {
    var emulatesSQRewind: Bool { get }
    var emptyStatistics: LoopStatistics { get }
    var lastStatistics: LoopStatistics { get }
    var globals: GlobalVariables { get }
    var memory: LoopMemory? { get }
    func map(named name: String) throws(LoopError) -> LoopMap
    func run(_ control: RunControl) throws(LoopError) -> LoopStatistics
    func withRing<R, E: Error>(_ body: (inout IoUring) throws(E) -> R) throws(E) -> R
}

extension LoopBackend {
    var emptyStatistics: LoopStatistics { lastStatistics }
}

/// The ring every loop uses: SINGLE_ISSUER|DEFER_TASKRUN|NO_SQARRAY|CQSIZE|SQ_REWIND, plus the MEM region.
func makeLoopRing(_ options: LoopOptions, flags: SetupFlags) throws(LoopError) -> IoUring {
    do {
        var ring = try IoUring(entries: options.sqEntries, flags: flags, cqEntries: options.cqEntries)
        if options.memSize > 0 { try ring.registerMemoryRegion(size: options.memSize, kind: .user) }
        return ring
    } catch {
        throw LoopError(.badArgument, errno: error.errno, error.description)
    }
}

let loopRingFlags: SetupFlags = [.singleIssuer, .deferTaskrun, .noSQArray, .sqRewind]

/// The global values to set before load: `sq_entries`/`cq_entries` from the ring and `mem_size` from the MEM region
/// (unless given), then the caller's,
/// with `@mem+N` turned into addresses. Each value is checked against its variable's size.
func stagedGlobals(_ options: LoopOptions, object: ObjectFile, sqEntries: UInt32, cqEntries: UInt32,
                   mem: UnsafeMutableRawBufferPointer?) throws(LoopError) -> [(name: String, bytes: [UInt8])] {
    var sizes: [String: Int] = [:]
    for map in object.maps {
        for v in map.globalData?.variables ?? [] where !v.name.isEmpty { sizes[v.name] = v.size }
    }
    let given = Set(options.globals.map(\.name))
    var values: [(String, GlobalValue)] = []
    var filled = [("sq_entries", sqEntries), ("cq_entries", cqEntries)]
    if let mem, let size = UInt32(exactly: mem.count) { filled.append(("mem_size", size)) }
    for (name, value) in filled where !given.contains(name) && sizes[name] != nil {
        values.append((name, .integer(Int128(value))))
    }
    values += options.globals.map { ($0.name, $0.value) }
    var staged: [(name: String, bytes: [UInt8])] = []
    for (name, value) in values {
        guard let size = sizes[name] else {
            throw LoopError(.badArgument, "the program has no global variable '\(name)' (it has: \(sizes.keys.sorted().joined(separator: ", ")))")
        }
        switch value {
        case .integer(let v):
            staged.append((name, try v.bytes(fitting: size, name: name)))
        case .memAddress(let offset):
            guard let mem else {
                throw LoopError(.badArgument, "\(name)=\(value) needs a MEM region: set a MEM size (--mem-size)")
            }
            guard offset <= UInt64(mem.count) else {
                throw LoopError(.badArgument, "\(name)=\(value) is past the \(mem.count)-byte MEM region")
            }
            guard size == 8 else {
                throw LoopError(.badArgument, "\(name)=\(value) is an 8-byte address, but \(name) is \(size) byte\(size == 1 ? "" : "s")")
            }
            let address = Int128(UInt(bitPattern: mem.baseAddress)) + Int128(offset)
            staged.append((name, try address.bytes(fitting: 8, name: name)))
        case .bytes(let bytes):
            guard bytes.count == size else {
                throw LoopError(.badArgument, "\(name) is \(size) byte\(size == 1 ? "" : "s"), but \(bytes.count) were given")
            }
            staged.append((name, bytes))
        }
    }
    return staged
}
