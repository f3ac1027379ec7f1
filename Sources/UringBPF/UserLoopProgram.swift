import SystemPackage
import BPF
import BPFJIT
import BPFObject
import BPFVerifier

#if canImport(Glibc)
import Glibc
#endif

/// The `loop_step` of an object's `io_uring_bpf_ops`, bound to our engine for the user-mode loop: global data
/// and maps live in host memory, relocations point at them, the two io_uring kfuncs and the base helpers are host
/// functions, and the program may touch nothing but its stack, its globals and maps, the regions `get_region` gave
/// it (with the size it asked for) and its arguments.
final class UserLoopProgram {
    /// The program run as `loop_step`.
    let program: ObjectProgram
    /// The program made runnable: its global data and memory map.
    let executable: ExecutableProgram
    let maps: [EmulatedMap]
    private let globalSections: [GlobalVariables.Section]
    private let btf: BTF?

    /// Strong (the engine holds no program, so no cycle): an unowned reference costs an atomic retain and
    /// release on every kfunc call.
    private let engine: UserLoopEngine
    private var runner: ProgramRunner!
    /// `runner`, unretained, for `step`: borrowing it saves a retain and release per step.
    private var stepRunner: Unmanaged<ProgramRunner>!
    /// The error of the step that just failed, on its way out of `step` (only `step` touches it: no exclusivity check).
    @exclusivity(unchecked) private var stepFailure: RuntimeError?
    /// A second runner over the same program for helper callbacks (`bpf_loop`): a runner is not reentrant.
    private var callbackRunner: ProgramRunner?
    /// The engine asked for (the callback runner uses it too).
    private let requestedEngine: ExecutionEngine
    private var inCallback = false
    private var memory: MemoryMap { executable.memory }
    /// `loop_step`'s argument array, as the kernel passes struct_ops arguments: [ctx, &lp].
    private let arguments: UnsafeMutablePointer<UInt64>
    /// The grant for each region id `get_region` handed out (ids are 0...2: `engine.region` answers nil for
    /// any other). Touched only inside `getRegion`, so no dynamic exclusivity check is needed.
    @exclusivity(unchecked) private var regionGrants: [(id: RegionID, base: UInt64, size: UInt64)?] = [nil, nil, nil]
    private var random = SystemRandomNumberGenerator()

    /// The value `loop_step` gets as `ctx`: an opaque handle the program can pass to kfuncs but not read
    /// (7.2's `struct iou_ctx` is empty), so no region covers it.
    static let contextHandle: UInt64 = 0xFFFF_C000_0000_0000
    private static let mapHandleBase: UInt64 = 0xFFFF_D000_0000_0000
    private static let kfuncs: Set<String> = ["bpf_io_uring_submit_sqes", "bpf_io_uring_get_region"]
    private static let gplCompatible: Set<String> = [
        "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
    ]

    /// Binds the `loop_step` of `object`'s `io_uring_bpf_ops` variable for `engine`, refusing what the kernel would
    /// refuse at load (license, sleepability, unknown kfuncs or helpers, maps too big), and stores the globals of
    /// `options` (before the program can run, so `.rodata` can be set).
    init(object: ObjectFile, engine: UserLoopEngine, options: LoopOptions) throws(LoopError) {
        self.engine = engine
        let ops = try Self.loopOps(in: object)
        guard let name = ops.program(for: "loop_step"), let program = object.program(named: name) else {
            throw LoopError(.loadFailed, "struct io_uring_bpf_ops \(ops.name) sets no loop_step program")
        }
        self.program = program
        guard Self.gplCompatible.contains(object.license) else {
            throw LoopError(.loadFailed,
                "struct_ops programs must have a GPL compatible license (the object's license is '\(object.license)')")
        }
        try Self.checkCalls(program)

        var handles: [String: UInt64] = [:]
        let mapDefinitions = object.maps.filter { $0.globalData == nil }
        for (index, definition) in mapDefinitions.enumerated() {
            handles[definition.name] = Self.mapHandleBase + UInt64(index) << 12
        }
        let executable: ExecutableProgram
        do {
            executable = try ExecutableProgram(program, of: object, mapHandle: { handles[$0.name] ?? 0 }, kfuncs: Self.kfuncs)
        } catch {
            throw LoopError(.loadFailed, "\(error)")
        }
        self.executable = executable
        let budget = MapMemoryBudget(limit: options.maxMapMemory)
        let memory = executable.memory
        var maps: [EmulatedMap] = []
        for definition in mapDefinitions {
            maps.append(try EmulatedMap(definition, budget: budget) { block in
                memory.grant(MemoryRegion(name: "map \(definition.name) values", buffer: block))
            })
        }
        self.maps = maps
        btf = object.btf
        globalSections = object.maps.compactMap { map in
            guard let data = map.globalData, let image = executable.sections[data.sectionName] else { return nil }
            return GlobalVariables.Section(data: data, image: image, isWritable: !data.isReadOnly)
        }
        let staged = try stagedGlobals(options, object: object, sqEntries: engine.ring.sqEntries,
                                       cqEntries: engine.ring.cqEntries, mem: engine.regions.mem)
        GlobalVariables(owner: executable, sections: globalSections, btf: btf).stage(staged)
        if options.verify { try Self.verify(program, of: object, sections: globalSections) }

        arguments = .allocate(capacity: 2)
        arguments[0] = Self.contextHandle
        arguments[1] = UInt64(UInt(bitPattern: engine.params))
        memory.grant(name: "loop_step arguments", base: UInt64(UInt(bitPattern: arguments)), size: 16, permissions: .read)
        memory.grant(name: "iou_loop_params", base: UInt64(UInt(bitPattern: engine.params)), size: 4, permissions: .readWrite)
        requestedEngine = options.engine
        engine.countsInstructions = true
        runner = ProgramRunner(program: executable.program, functions: hostFunctions(), memory: memory, engine: options.engine)
        stepRunner = .passUnretained(runner)
        if let budget = options.instructionBudget { runner.instructionBudget = budget }
    }

    deinit { arguments.deallocate() }

    /// Refuses at load what Linux's verifier refuses (with its errno), as a kernel-mode load would: the verdict
    /// depends on the frozen `.rodata` (sizes given to `get_region` are constants), so it runs after the globals are
    /// staged.
    private static func verify(_ program: ObjectProgram, of object: ObjectFile,
                               sections: [GlobalVariables.Section]) throws(LoopError) {
        var options = VerifierOptions()
        for section in sections where section.data.isReadOnly { options.globalData[section.data.sectionName] = Array(section.image) }
        let verdict = Verifier(options: options).verify(object: object, program: program)
        guard let rejection = verdict.rejection else { return }
        let fault = rejection.instructionIndex.map {
            ProgramFault(program: program.name, instruction: $0, location: rejection.sourceLocation, address: nil,
                         reason: rejection.reason)
        }
        throw LoopError(.loadFailed, errno: rejection.errno,
                        "the verifier refuses \(program.name), as Linux would at load: \(rejection)", fault: fault)
    }

    /// The object's `struct io_uring_bpf_ops` variable (the first, if there are several).
    static func loopOps(in object: ObjectFile) throws(LoopError) -> StructOpsVariable {
        guard let ops = object.structOps.first(where: { $0.typeName == "io_uring_bpf_ops" }) else {
            let found = object.structOps.map { "\($0.name) (struct \($0.typeName))" }
            throw LoopError(.loadFailed,
                "the object has no struct io_uring_bpf_ops variable in .struct_ops or .struct_ops.link"
                    + (found.isEmpty ? "" : "; it has \(found.joined(separator: ", "))"))
        }
        return ops
    }

    /// The program's global variables (`.rodata` read-only, as after a kernel load).
    var globals: GlobalVariables { GlobalVariables(owner: executable, sections: globalSections, btf: btf) }

    /// The engine that runs the program, and why it is not the one asked for, if it is not.
    var executionEngine: (engine: ExecutionEngine, fallbackReason: String?) { (runner.engine, runner.fallbackReason) }

    /// Runs `loop_step` once and returns its value. Inlined into the run loop, its one caller.
    @inline(__always)
    func step() throws(LoopError) -> Int32 {
        let argument = UInt64(UInt(bitPattern: arguments))
        let engine = engine
        // nil when the run failed: `_withUnsafeGuaranteedRef` cannot throw a typed error, so the error leaves
        // through `stepFailure`, which costs nothing on the steps that succeed (a captured local was set up on each).
        let value = stepRunner.unsafelyUnwrapped._withUnsafeGuaranteedRef { runner -> UInt64? in
            do throws(RuntimeError) {
                let value = try runner.run(argument)
                engine.countInstructions(runner.instructionsExecuted)
                return value
            } catch {
                engine.countInstructions(runner.instructionsExecuted)
                stepFailure = error
                return nil
            }
        }
        guard let value else { throw loopError(stepFailure.take()!) }
        return Int32(truncatingIfNeeded: value)
    }

    /// The runners' cancellation flags, which a stop request sets.
    var cancellations: [CancellationFlag] { [runner.cancellation] + (callbackRunner.map { [$0.cancellation] } ?? []) }

    // MARK: Errors

    /// Refuses helper calls the kernel would not allow a loop program (or we do not emulate).
    private static func checkCalls(_ program: ObjectProgram) throws(LoopError) {
        for (i, insn) in program.instructions.enumerated() where insn.isCall && insn.src == ISA.CallKind.helper {
            guard BaseHelper(rawValue: insn.imm) != nil else {
                throw LoopError(.loadFailed, "\(program.name): instruction \(i)\(location(program, i)): "
                    + "\(BaseHelper.describe(insn.imm)) is not available to io_uring loop programs")
            }
        }
        for relocation in program.relocations {
            if case .kfunc(let name) = relocation.target, name == "bpf_io_uring_submit_sqes", !program.isSleepable {
                let i = relocation.instruction
                throw LoopError(.loadFailed, errno: .permissionDenied,
                    "\(program.name): instruction \(i)\(location(program, i)): program must be sleepable to call sleepable "
                        + "kfunc \(name) (put loop_step in SEC(\"struct_ops.s/...\"))")
            }
        }
    }

    private static func location(_ program: ObjectProgram, _ index: Int) -> String {
        guard let where_ = program.sourceLocation(at: index) else { return "" }
        let source = where_.source.trimmingSpaces
        return " (\(where_)" + (source.isEmpty ? ")" : ": \(source))")
    }

    /// A fault at the instruction of `call`.
    private func fault(_ call: HostCall, _ reason: String, address: UInt64? = nil) -> LoopError {
        fault(call.instructionIndex, reason, address: address)
    }

    private func fault(_ index: Int, _ reason: String, address: UInt64? = nil, errno: Errno? = nil) -> LoopError {
        let fault = ProgramFault(program: program.name, instruction: index, location: program.sourceLocation(at: index),
                                 address: address, reason: reason)
        return LoopError(.programFault, errno: errno, fault.description, fault: fault)
    }

    private func loopError(_ error: RuntimeError) -> LoopError {
        switch error.reason {
        case .cancelled:
            return engine.stopped(engine.control?.request ?? .interrupted)
        case .hostFunctionFailed(_, let inner as LoopError):
            return inner
        case .memoryViolation(let address, _, _, _), .misalignedAtomic(let address, _):
            return fault(error.index, error.reason.summary, address: address)
        case .budgetExhausted:
            return fault(error.index, error.reason.summary, errno: .argListTooLong)
        default:
            return fault(error.index, error.reason.summary)
        }
    }

    // MARK: Host functions

    /// The host functions capture `self` unowned(unsafe): they live only in this program's own interpreters,
    /// which never escape it and die with it, so they cannot run after `self` is gone; a checked `unowned`
    /// would cost an atomic retain and release on every call. The two kfuncs every step calls borrow `self` and
    /// the engine through `Unmanaged` (an `unowned(unsafe)` capture is still retained around the call).
    private func hostFunctions() -> HostFunctions {
        var functions = HostFunctions()
        let program = Unmanaged.passUnretained(self), engine = Unmanaged.passUnretained(engine)
        // A region's answer never changes for (ctx, id, size) while the grants stay as they are, and asking again
        // changes nothing: the JIT answers repeated calls from its memo.
        functions.registerKfunc(name: "bpf_io_uring_get_region", cacheableOn: 3) { call in
            program._withUnsafeGuaranteedRef { $0.getRegion(&call) }
        }
        functions.registerKfunc(name: "bpf_io_uring_submit_sqes") { call in
            UInt64(bitPattern: Int64(engine._withUnsafeGuaranteedRef { $0.submit(UInt32(truncatingIfNeeded: call.r2)) }))
        }
        for helper in BaseHelper.allCases {
            functions.registerHelper(id: helper.rawValue, name: helper.name) { [unowned(unsafe) self] call in
                try callHelper(helper, &call)
            }
        }
        return functions
    }

    private func getRegion(_ call: inout HostCall) -> UInt64 {
        let id = UInt32(truncatingIfNeeded: call.r2)
        // The common case first: a region the program already holds, at no greater size (a grant is only made
        // for a size `engine.region` allowed, and regions are fixed for the ring's life).
        if id < 3, let grant = regionGrants[Int(id)], call.r3 <= grant.size { return grant.base }
        return grantRegion(&call)
    }

    /// `getRegion` for a region not granted yet (or granted smaller): out of line, so the common case stays short.
    @inline(never)
    private func grantRegion(_ call: inout HostCall) -> UInt64 {
        let id = UInt32(truncatingIfNeeded: call.r2)
        let size = call.r3
        guard let region = engine.region(id, size: size) else { return 0 }
        let base = UInt64(UInt(bitPattern: region.baseAddress))
        if let grant = regionGrants[Int(id)] { call.memory.revoke(grant.id) }
        let name = "\(LoopRegion(rawValue: id)?.name ?? "?") region"
        regionGrants[Int(id)] = (call.memory.grant(name: name, base: base, size: size, permissions: .readWrite), base, size)
        return base
    }

    private func callHelper(_ helper: BaseHelper, _ call: inout HostCall) throws(LoopError) -> UInt64 {
        switch helper {
        case .mapLookupElem:
            let map = try map(call, call.r1, helper)
            let key = try bytes(call, call.r2, UInt64(map.definition.keySize), "key", helper)
            return map.lookup(key: key).map { UInt64(UInt(bitPattern: $0)) } ?? 0
        case .mapUpdateElem:
            let map = try map(call, call.r1, helper)
            let key = try bytes(call, call.r2, UInt64(map.definition.keySize), "key", helper)
            let value = try bytes(call, call.r3, UInt64(map.definition.valueSize), "value", helper)
            return UInt64(bitPattern: Int64(map.update(key: key, value: value, flags: call.r4)))
        case .mapDeleteElem:
            let map = try map(call, call.r1, helper)
            return UInt64(bitPattern: Int64(map.delete(key: try bytes(call, call.r2, UInt64(map.definition.keySize), "key", helper))))
        case .ktimeGetNs, .ktimeGetCoarseNs:
            return HostClock.nanoseconds(CLOCK_MONOTONIC)
        case .ktimeGetBootNs:
            return HostClock.nanoseconds(CLOCK_BOOTTIME)
        case .getPrandomU32:
            return UInt64(random.next() as UInt32)
        case .getSmpProcessorID:
            return currentCPU()
        case .spinLock, .spinUnlock:
            return 0
        case .tracePrintk:
            let format = try bytes(call, call.r1, call.r2, "format", helper)
            return try emitPrintk(call, Array(format), [call.r3, call.r4, call.r5])
        case .traceVprintk:
            let format = try bytes(call, call.r1, call.r2, "format", helper)
            guard call.r4 % 8 == 0, call.r4 <= 12 * 8 else { return UInt64(bitPattern: -Int64(EINVAL)) }
            let count = Int(call.r4 / 8)
            let data = count == 0 ? nil : try bytes(call, call.r3, call.r4, "data", helper)
            let args = (0..<count).map { data!.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) }
            return try emitPrintk(call, Array(format), args)
        case .loop:
            return try runLoopHelper(&call)
        }
    }

    private func emitPrintk(_ call: HostCall, _ format: [UInt8], _ args: [UInt64]) throws(LoopError) -> UInt64 {
        let formatter = PrintkFormatter { address in
            var bytes: [UInt8] = []
            while bytes.count < 1024, call.isAccessible(address + UInt64(bytes.count), size: 1) {
                let byte = UnsafePointer<UInt8>(bitPattern: UInt(address) + UInt(bytes.count))!.pointee
                if byte == 0 { return String(decoding: bytes, as: UTF8.self) }
                bytes.append(byte)
            }
            return nil
        }
        do {
            let line = try formatter.format(format, arguments: args)
            engine.printk(line)
            return UInt64(line.utf8.count)
        } catch {
            return UInt64(bitPattern: -Int64(EINVAL))
        }
    }

    /// `bpf_loop(nr, callback, ctx, flags)`: calls the BPF function `callback(i, ctx)` up to `nr` times,
    /// stopping early when it returns 1; returns the number of calls.
    private func runLoopHelper(_ call: inout HostCall) throws(LoopError) -> UInt64 {
        guard call.r4 == 0 else { return UInt64(bitPattern: -Int64(EINVAL)) }
        guard call.r1 <= 1 << 23 else { return UInt64(bitPattern: -Int64(E2BIG)) }
        let target = call.r2 &- ExecutableProgram.functionHandleBase
        guard call.r2 >= ExecutableProgram.functionHandleBase, target < UInt64(program.instructions.count) else {
            throw fault(call, "bpf_loop's callback (r2 = 0x\(String(call.r2, radix: 16))) is not a function of the program")
        }
        guard !inCallback else {
            throw fault(call, "nested bpf_loop is not supported by the user-mode loop")
        }
        if callbackRunner == nil {
            callbackRunner = ProgramRunner(program: runner.program, functions: hostFunctions(), memory: memory,
                                           engine: requestedEngine)
            callbackRunner!.instructionBudget = runner.instructionBudget
            if let control = engine.control { LoopWaker.setCancellations(cancellations, for: control) }
        }
        let callback = callbackRunner!
        // The callback may use pointers into the caller's stack (its ctx usually is one).
        let stack = memory.grant(runner.stackRegion)
        inCallback = true
        defer {
            inCallback = false
            memory.revoke(stack)
        }
        var iterations: UInt64 = 0
        while iterations < call.r1 {
            let result: UInt64
            do {
                result = try callback.run(entry: Int(target), iterations, call.r3)
                engine.countInstructions(callback.instructionsExecuted)
            } catch {
                engine.countInstructions(callback.instructionsExecuted)
                throw loopError(error)
            }
            iterations += 1
            if result == 1 { break }
        }
        return iterations
    }

    private func map(_ call: HostCall, _ handle: UInt64, _ helper: BaseHelper) throws(LoopError) -> EmulatedMap {
        let offset = handle &- Self.mapHandleBase
        guard handle >= Self.mapHandleBase, offset & 0xfff == 0, Int(offset >> 12) < maps.count else {
            throw fault(call, "\(helper.name) was passed r1 = 0x\(String(handle, radix: 16)), which is not a map")
        }
        return maps[Int(offset >> 12)]
    }

    /// The `count` bytes at `address` that the program passed to `helper`, if they are all its memory.
    private func bytes(_ call: HostCall, _ address: UInt64, _ count: UInt64, _ what: String,
                       _ helper: BaseHelper) throws(LoopError) -> UnsafeRawBufferPointer {
        guard call.isAccessible(address, size: count), let length = Int(exactly: count) else {
            throw fault(call, "\(helper.name)'s \(what) (\(count) bytes at 0x\(String(address, radix: 16))) is outside the program's memory",
                        address: address)
        }
        return UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(address)), count: length)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" { s.removeLast() }
        return String(s)
    }
}
