import BPFObject
import Uring

#if canImport(Glibc)
import Glibc
#endif

/// A BPF-controlled io_uring loop: a ring plus the `loop_step` that drives it, run either by the kernel
/// (Linux 7.1+, `io_uring_bpf_ops` attached to the ring) or by our interpreter over the same real ring.
///
/// ```swift
/// let loop = try UringLoop(object: try ObjectFile(contentsOf: "nops_seq.bpf.o"))
/// let stats = try loop.run()              // one io_uring_enter in kernel mode
/// print(loop.globals.integer("nops_completed")!)
/// ```
/// `run()` is the equivalent of `io_uring_enter` on a ring with the program attached: it returns when
/// `loop_step` returns STOP, and fails with the kernel's errno otherwise (EINVAL for a bad return value,
/// EINTR on SIGINT/SIGTERM/SIGALRM — run again to resume — and EEXIST from a thread other than the one
/// that created the loop).
public final class UringLoop {
    /// The mode the loop runs in (never `.auto`).
    public let mode: LoopMode
    /// The program's global variables, live (nil for a loop written in Swift).
    public var globals: GlobalVariables? {
        switch backend {
        case .user(_, let program, _): program?.globals
        case .kernel(let kernel): kernel.globals
        }
    }
    /// The registered MEM region, if `LoopOptions.memSize` asked for one.
    public var memoryRegion: UnsafeMutableRawBufferPointer? {
        switch backend {
        case .user(let engine, _, _): engine.regions.mem
        case .kernel(let kernel): kernel.ring.memoryRegion
        }
    }
    /// Whether SQ_REWIND is emulated (the kernel lacks it) rather than native.
    public var emulatesSQRewind: Bool {
        if case .user(let engine, _, _) = backend { return engine.regions.isShadowed }
        return false
    }
    /// The statistics of the last run, also when it failed.
    public var lastStatistics: LoopStatistics {
        switch backend {
        case .user(let engine, _, _): engine.lastStatistics
        case .kernel(let kernel): kernel.lastStatistics
        }
    }

    private enum Backend {
        case user(UserLoopEngine, UserLoopProgram?, LoopStep?)
        case kernel(KernelLoop)
    }
    private let backend: Backend

    /// Loads the `io_uring_bpf_ops` loop program of `object` for a new ring set up by `options`.
    public init(object: ObjectFile, options: LoopOptions = LoopOptions()) throws(LoopError) {
        mode = try Self.resolve(options.mode)
        if mode == .kernel {
            let ring = try Self.makeRing(options, flags: Self.kernelFlags)
            let staged = try Self.stagedGlobals(options, object: object, ring: ring)
            backend = .kernel(try KernelLoop(object: object, ring: ring, globals: staged))
            return
        }
        let engine = try Self.makeEngine(options)
        let program = try UserLoopProgram(object: object, engine: engine, instructionBudget: options.instructionBudget)
        for (name, value) in try Self.stagedGlobals(options, object: object, ring: engine.ring, mem: engine.regions.mem) {
            try program.globals.set(name, to: value)
        }
        program.freezeReadOnlyData()
        backend = .user(engine, program, nil)
    }

    /// A loop whose step is written in Swift, with the same powers and semantics as a BPF `loop_step`
    /// (always user mode: the kernel cannot run Swift).
    public init(options: LoopOptions = LoopOptions(), step: @escaping LoopStep) throws(LoopError) {
        guard options.mode != .kernel else {
            throw LoopError.modeUnavailable("a loop written in Swift runs in user mode only")
        }
        mode = .user
        backend = .user(try Self.makeEngine(options), nil, step)
    }

    /// Runs the loop until `loop_step` returns STOP; see the type's documentation for the errors.
    public func run() throws(LoopError) -> LoopStatistics {
        switch backend {
        case .kernel(let kernel):
            return try kernel.run()
        case .user(let engine, let program?, _):
            return try engine.run { () throws(LoopError) -> Int32 in try program.step() }
        case .user(let engine, nil, let step):
            let context = LoopStepContext(engine: engine)
            return try engine.run { () throws(LoopError) -> Int32 in step!(context).rawValue }
        }
    }

    /// Gives `body` the ring (e.g. to register files before a run, or to inspect it after).
    /// Not from inside a run (a Swift step): the loop owns the ring then.
    public func withRing<R>(_ body: (inout IoUring) throws -> R) rethrows -> R {
        switch backend {
        case .user(let engine, _, _):
            precondition(!engine.isRunning, "UringLoop.withRing cannot be used while the loop runs")
            return try body(&engine.ring)
        case .kernel(let kernel): return try body(&kernel.ring)
        }
    }

    // MARK: Setup

    private static func resolve(_ mode: LoopMode) throws(LoopError) -> LoopMode {
        switch mode {
        case .user: return .user
        case .kernel, .auto:
            let support = KernelLoopSupport.probe()
            if mode == .auto { return support.available ? .kernel : .user }
            guard support.available else { throw LoopError.modeUnavailable(support.reason) }
            return .kernel
        }
    }

    /// The ring every loop uses: SINGLE_ISSUER|DEFER_TASKRUN|NO_SQARRAY|CQSIZE|SQ_REWIND.
    private static let kernelFlags: SetupFlags = [.singleIssuer, .deferTaskrun, .noSQArray, .sqRewind]

    /// User mode adds TASKRUN_FLAG (to see pending task work without a syscall) and, where the kernel rejects
    /// SQ_REWIND (before 7.1), drops it and emulates it.
    private static func makeEngine(_ options: LoopOptions) throws(LoopError) -> UserLoopEngine {
        let flags = kernelFlags.union(.taskrunFlag)
        let ring: IoUring
        var emulate = false
        do {
            ring = try makeRing(options, flags: flags)
        } catch where error.errnoValue == EINVAL {
            ring = try makeRing(options, flags: flags.subtracting(.sqRewind))
            emulate = true
        }
        let engine = try UserLoopEngine(ring: ring, emulateRewind: emulate)
        engine.stepBudget = options.stepBudget
        engine.tracer = options.tracer
        if let printk = options.printk { engine.printkSink = printk }
        return engine
    }

    private static func makeRing(_ options: LoopOptions, flags: SetupFlags) throws(LoopError) -> IoUring {
        do {
            var ring = try IoUring(entries: options.sqEntries, flags: flags, cqEntries: options.cqEntries)
            if options.memSize > 0 { try ring.registerMemoryRegion(size: options.memSize, kind: .user) }
            return ring
        } catch {
            throw LoopError.errno(error.errno.rawValue, error.description)
        }
    }

    /// The global values to set before load: `sq_entries`/`cq_entries` from the ring (unless given), then the
    /// caller's, with `@mem+N` turned into addresses.
    private static func stagedGlobals(_ options: LoopOptions, object: ObjectFile, ring: borrowing IoUring,
                                      mem: UnsafeMutableRawBufferPointer? = nil) throws(LoopError) -> [(String, UInt64)] {
        let mem = mem ?? ring.memoryRegion
        let given = Set(options.globals.map(\.name))
        let declared = Set(object.maps.compactMap(\.globalData).flatMap(\.variables).map(\.name))
        var staged: [(String, UInt64)] = []
        for (name, value) in [("sq_entries", ring.sqEntries), ("cq_entries", ring.cqEntries)]
        where !given.contains(name) && declared.contains(name) {
            staged.append((name, UInt64(value)))
        }
        for (name, value) in options.globals {
            guard declared.contains(name) else {
                throw LoopError.badArgument("the program has no global variable '\(name)' (it has: \(declared.sorted().joined(separator: ", ")))")
            }
            switch value {
            case .integer(let v):
                staged.append((name, v))
            case .memAddress(let offset):
                guard let mem else {
                    throw LoopError.badArgument("\(name)=\(value) needs a MEM region: set a MEM size (--mem-size)")
                }
                guard offset <= UInt64(mem.count) else {
                    throw LoopError.badArgument("\(name)=\(value) is past the \(mem.count)-byte MEM region")
                }
                staged.append((name, UInt64(UInt(bitPattern: mem.baseAddress)) + offset))
            }
        }
        return staged
    }
}
