import BPFObject
import Uring

#if canImport(Glibc)
import Glibc
#endif

/// A BPF-controlled io_uring loop: a ring plus the `loop_step` that drives it, run either by the kernel
/// (Linux 7.1+, `io_uring_bpf_ops` attached to the ring) or by our interpreter over the same real ring.
///
/// ```swift
/// let loop = try UringLoop(object: try BPFObject(contentsOf: "nops_seq.bpf.o"))
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
    public var globals: GlobalVariables? { program?.globals }
    /// The registered MEM region, if `LoopOptions.memSize` asked for one.
    public var memoryRegion: UnsafeMutableRawBufferPointer? { engine.regions.mem }
    /// Whether SQ_REWIND is emulated (the kernel lacks it) rather than native.
    public var emulatesSQRewind: Bool { engine.regions.isShadowed }
    /// The statistics of the last run, also when it failed.
    public var lastStatistics: LoopStatistics { engine.lastStatistics }

    private let engine: UserLoopEngine
    private let program: UserLoopProgram?
    private let swiftStep: LoopStep?

    /// Loads the `io_uring_bpf_ops` loop program of `object` for a new ring set up by `options`.
    public init(object: BPFObject, options: LoopOptions = LoopOptions()) throws(LoopError) {
        mode = try Self.resolve(options.mode)
        engine = try Self.makeEngine(options)
        program = try UserLoopProgram(object: object, engine: engine, instructionBudget: options.instructionBudget)
        swiftStep = nil
        try applyGlobals(options)
        program!.freezeReadOnlyData()
    }

    /// A loop whose step is written in Swift, with the same powers and semantics as a BPF `loop_step`
    /// (always user mode: the kernel cannot run Swift).
    public init(options: LoopOptions = LoopOptions(), step: @escaping LoopStep) throws(LoopError) {
        guard options.mode != .kernel else {
            throw LoopError.modeUnavailable("a loop written in Swift runs in user mode only")
        }
        mode = .user
        engine = try Self.makeEngine(options)
        program = nil
        swiftStep = step
    }

    /// Runs the loop until `loop_step` returns STOP; see the type's documentation for the errors.
    public func run() throws(LoopError) -> LoopStatistics {
        if let program {
            return try engine.run { () throws(LoopError) -> Int32 in try program.step() }
        }
        let step = swiftStep!
        let context = LoopStepContext(engine: engine)
        return try engine.run { () throws(LoopError) -> Int32 in step(context).rawValue }
    }

    /// Gives `body` the ring (e.g. to register files before a run, or to inspect it after).
    public func withRing<R>(_ body: (inout IoUring) throws -> R) rethrows -> R {
        try body(&engine.ring)
    }

    // MARK: Setup

    private static func resolve(_ mode: LoopMode) throws(LoopError) -> LoopMode {
        switch mode {
        case .user: return .user
        case .kernel, .auto:
            let support = KernelLoopSupport.probe()
            if mode == .auto { return support.available ? .kernel : .user }
            guard support.available else { throw LoopError.modeUnavailable(support.reason) }
            throw LoopError.modeUnavailable("kernel mode is not wired into UringLoop yet")
        }
    }

    /// The ring every loop uses: SINGLE_ISSUER|DEFER_TASKRUN|NO_SQARRAY|CQSIZE|SQ_REWIND, where the kernel
    /// rejects SQ_REWIND (before 7.1) the same without it and SQ_REWIND emulated. TASKRUN_FLAG lets the
    /// loop see pending task work without a syscall.
    private static func makeEngine(_ options: LoopOptions) throws(LoopError) -> UserLoopEngine {
        let base: SetupFlags = [.singleIssuer, .deferTaskrun, .noSQArray, .taskrunFlag]
        var ring: IoUring
        var emulate = false
        do {
            ring = try IoUring(entries: options.sqEntries, flags: base.union(.sqRewind), cqEntries: options.cqEntries)
        } catch where error.errno == .invalidArgument {
            do {
                ring = try IoUring(entries: options.sqEntries, flags: base, cqEntries: options.cqEntries)
                emulate = true
            } catch {
                throw LoopError.errno(error.errno.rawValue, error.description)
            }
        } catch {
            throw LoopError.errno(error.errno.rawValue, error.description)
        }
        if options.memSize > 0 {
            do {
                try ring.registerMemoryRegion(size: options.memSize, kind: .user)
            } catch {
                throw LoopError.errno(error.errno.rawValue, error.description)
            }
        }
        let engine = UserLoopEngine(ring: ring, emulateRewind: emulate)
        engine.stepBudget = options.stepBudget
        engine.tracer = options.tracer
        if let printk = options.printk { engine.printkSink = printk }
        return engine
    }

    private func applyGlobals(_ options: LoopOptions) throws(LoopError) {
        guard let globals else { return }
        let given = Set(options.globals.map(\.name))
        let sq = engine.ring.sqEntries, cq = engine.ring.cqEntries
        for (name, value) in [("sq_entries", sq), ("cq_entries", cq)] where !given.contains(name) {
            if globals.variable(named: name) != nil { try globals.set(name, to: UInt64(value)) }
        }
        for (name, value) in options.globals {
            switch value {
            case .integer(let v):
                try globals.set(name, to: v)
            case .memAddress(let offset):
                guard let mem = memoryRegion else {
                    throw LoopError.badArgument("\(name)=\(value) needs a MEM region: set a MEM size (--mem-size)")
                }
                guard offset <= UInt64(mem.count) else {
                    throw LoopError.badArgument("\(name)=\(value) is past the \(mem.count)-byte MEM region")
                }
                try globals.set(name, to: UInt64(UInt(bitPattern: mem.baseAddress)) + offset)
            }
        }
    }
}
