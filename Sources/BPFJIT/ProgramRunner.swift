import BPF

/// Runs a ``/BPF/Program`` with the engine you pick, behind the ``/BPF/Interpreter``'s API: the same initializer
/// arguments, ``run(entry:_:_:_:_:_:)``, ``instructionBudget``, ``cancellation``, ``instructionsExecuted``,
/// ``stackRegion``, ``memory`` and ``program``, with the same results on either engine.
///
/// Asked for the JIT where it cannot run (not x86-64, or the kernel refuses executable memory), it runs the
/// interpreter: ``engine`` says which engine runs, ``fallbackReason`` why it is not the one asked for.
///
/// Code written against ``/BPF/Interpreter`` switches by constructing a ``ProgramRunner`` instead (adding `engine:` if
/// it wants to choose); nothing else changes.
///
/// One run at a time and not reentrant (a host function must not run the same runner; use a second runner over
/// the same memory map, as for `bpf_loop` callbacks); `cancellation` may be set from any thread.
public final class ProgramRunner {
    // One of the two is set. `run` borrows it through `Unmanaged` (the stored reference keeps it alive): a step
    // of a loop program is a short run, and reading the reference retained and released the runner every time.
    private let jit: JITRunner?
    private let interpreter: Interpreter?
    @usableFromInline let borrowedJIT: Unmanaged<JITRunner>?
    @usableFromInline let borrowedInterpreter: Unmanaged<Interpreter>?
    /// The engine that runs the program.
    public let engine: ExecutionEngine
    /// Why the interpreter runs although the JIT was asked for (nil when the engine asked for runs).
    public let fallbackReason: String?

    /// Prepares `program` to run with `functions` and `memory` on `engine` (compiling it, for the JIT). Calls to
    /// helpers or kfuncs missing from `functions` fail when executed (`.unknownHelper` / `.unknownKfunc`).
    public convenience init(
        program: Program, functions: HostFunctions = HostFunctions(), memory: MemoryMap = MemoryMap(),
        engine: ExecutionEngine = .default
    ) {
        self.init(program: program, functions: functions, memory: memory, engine: engine, system: .live)
    }

    /// `system` stands in for mmap/mprotect so tests can make the kernel refuse executable memory.
    init(
        program: Program, functions: HostFunctions, memory: MemoryMap, engine: ExecutionEngine,
        system: ExecutableMemory.System
    ) {
        if engine == .jit {
            do {
                let jit = try JITRunner(program: program, functions: functions, memory: memory, system: system)
                self.jit = jit
                borrowedJIT = .passUnretained(jit)
                interpreter = nil
                borrowedInterpreter = nil
                self.engine = .jit
                fallbackReason = nil
                return
            } catch {
                fallbackReason = error.reason
            }
        } else {
            fallbackReason = nil
        }
        jit = nil
        borrowedJIT = nil
        let interpreter = Interpreter(program: program, functions: functions, memory: memory)
        self.interpreter = interpreter
        borrowedInterpreter = .passUnretained(interpreter)
        self.engine = .interpreter
    }

    /// The JIT runner, when the JIT runs (for its diagnostics).
    package var jitRunner: JITRunner? { jit }

    /// The program being run.
    public var program: Program { jit?.program ?? interpreter.unsafelyUnwrapped.program }

    /// Regions the program may access besides its stack. Host functions may grant regions during a run.
    public var memory: MemoryMap { jit?.memory ?? interpreter.unsafelyUnwrapped.memory }

    /// Stops runaway programs: a run fails with `.budgetExhausted` after about this many instructions.
    public var instructionBudget: UInt64 {
        get { jit?.instructionBudget ?? interpreter.unsafelyUnwrapped.instructionBudget }
        set {
            if let jit { jit.instructionBudget = newValue } else { interpreter.unsafelyUnwrapped.instructionBudget = newValue }
        }
    }

    /// Set from any thread to stop the current run with `.cancelled` (cleared at the start of each run).
    public var cancellation: CancellationFlag { jit?.cancellation ?? interpreter.unsafelyUnwrapped.cancellation }

    /// Instruction slots executed by the last run, also when it failed (an `lddw` counts as its two slots).
    /// Inlinable: a loop engine reads it after every step, and on the JIT it is one load.
    @inlinable
    public var instructionsExecuted: UInt64 {
        if let borrowedJIT { return borrowedJIT._withUnsafeGuaranteedRef { $0.instructionsExecuted } }
        return borrowedInterpreter.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.instructionsExecuted }
    }

    /// The whole stack (all frames), e.g. to recognise stack pointers a program passes to a host function.
    public var stackRegion: MemoryRegion { jit?.stackRegion ?? interpreter.unsafelyUnwrapped.stackRegion }

    /// Runs the program with r1…r5 set (r1 is usually a pointer to a host-granted context) and returns r0.
    ///
    /// `entry` starts the run at another function of the program (e.g. a callback a helper invokes, such as
    /// `bpf_loop`'s); it must be the first instruction of a function the program calls or takes the address of.
    public func run(
        entry: Int = 0, _ r1: UInt64 = 0, _ r2: UInt64 = 0, _ r3: UInt64 = 0, _ r4: UInt64 = 0, _ r5: UInt64 = 0
    ) throws(RuntimeError) -> UInt64 {
        var failure: RuntimeError?
        let r0: UInt64
        if let borrowedJIT {
            r0 = borrowedJIT._withUnsafeGuaranteedRef { runner in
                do throws(RuntimeError) { return try runner.run(entry: entry, r1, r2, r3, r4, r5) } catch {
                    failure = error
                    return 0
                }
            }
        } else {
            r0 = borrowedInterpreter.unsafelyUnwrapped._withUnsafeGuaranteedRef { runner in
                do throws(RuntimeError) { return try runner.run(entry: entry, r1, r2, r3, r4, r5) } catch {
                    failure = error
                    return 0
                }
            }
        }
        if let failure { throw failure }
        return r0
    }
}
