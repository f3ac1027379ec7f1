import BPF
import BPFObject

#if canImport(Glibc)
import Glibc
#endif

/// The `loop_step` of an object's `io_uring_bpf_ops`, bound to our interpreter for the userspace loop:
/// global data and maps live in host memory, relocations point at them, the two io_uring kfuncs and the
/// base helpers are host functions, and the program may touch nothing but its stack, its globals and
/// maps, the regions `get_region` gave it (with the size it asked for) and its arguments.
final class UserLoopProgram {
    /// The program run as `loop_step`.
    let program: ObjectProgram
    /// Live global variables.
    private(set) var globals: GlobalVariables!

    /// Strong (the engine holds no program, so no cycle): an unowned reference costs an atomic retain and
    /// release on every kfunc call.
    private let engine: UserLoopEngine
    private var interpreter: Interpreter!
    /// A second interpreter over the same program for helper callbacks (`bpf_loop`): an interpreter is not
    /// reentrant.
    private var callbackInterpreter: Interpreter?
    private var inCallback = false
    private let memory = MemoryMap()
    private var images: [UnsafeMutableRawBufferPointer] = []
    private var maps: [EmulatedMap] = []
    /// `loop_step`'s argument array, as the kernel passes struct_ops arguments: [ctx, &lp].
    private let arguments: UnsafeMutablePointer<UInt64>
    /// The grant for each region id `get_region` handed out (ids are 0...2: `engine.region` answers nil for
    /// any other). Touched only inside `getRegion`, so no dynamic exclusivity check is needed.
    @exclusivity(unchecked) private var regionGrants: [(id: RegionID, size: UInt64)?] = [nil, nil, nil]
    private var random = SystemRandomNumberGenerator()

    /// The value `loop_step` gets as `ctx`: an opaque handle the program can pass to kfuncs but not read
    /// (7.2's `struct iou_ctx` is empty), so no region covers it.
    static let contextHandle: UInt64 = 0xFFFF_C000_0000_0000
    private static let mapHandleBase: UInt64 = 0xFFFF_D000_0000_0000
    private static let functionHandleBase: UInt64 = 0xFFFF_E000_0000_0000
    private static let kfuncs = ["bpf_io_uring_submit_sqes", "bpf_io_uring_get_region"]
    private static let gplCompatible: Set<String> = [
        "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
    ]

    /// Binds the `loop_step` of `object`'s `io_uring_bpf_ops` variable for `engine`, refusing what the
    /// kernel would refuse at load (license, sleepability, unknown kfuncs or helpers, unsupported maps).
    init(object: ObjectFile, engine: UserLoopEngine, instructionBudget: UInt64?) throws(LoopError) {
        self.engine = engine
        let ops = try Self.loopOps(in: object)
        guard let name = ops.program(for: "loop_step"), let program = object.program(named: name) else {
            throw LoopError.unsupportedProgram("struct io_uring_bpf_ops \(ops.name) sets no loop_step program")
        }
        self.program = program
        arguments = .allocate(capacity: 2)
        guard Self.gplCompatible.contains(object.license) else {
            throw LoopError.unsupportedProgram(
                "struct_ops programs must have a GPL compatible license (the object's license is '\(object.license)')")
        }
        var instructions = program.instructions
        let loadValues = try bindData(of: object, relocations: program.relocations, instructions: &instructions)
        try checkCalls(instructions)
        var bpf: Program
        do {
            bpf = try Program(bytecode: Instruction.encode(instructions))
            for (index, value) in loadValues { try bpf.resolvePseudoLoad(at: index, to: value) }
            for case let (index, .kfunc(name)) in program.relocations.map({ ($0.instruction, $0.target) }) {
                try bpf.bindKfunc(at: index, name: name)
            }
        } catch {
            throw LoopError.unsupportedProgram("\(program.name): \(error)")
        }
        arguments[0] = Self.contextHandle
        arguments[1] = UInt64(UInt(bitPattern: engine.params))
        memory.grant(name: "loop_step arguments", base: UInt64(UInt(bitPattern: arguments)), size: 16, permissions: .read)
        memory.grant(name: "iou_loop_params", base: UInt64(UInt(bitPattern: engine.params)), size: 4, permissions: .readWrite)
        interpreter = Interpreter(program: bpf, functions: hostFunctions(), memory: memory)
        if let instructionBudget { interpreter.instructionBudget = instructionBudget }
    }

    deinit {
        for image in images { image.deallocate() }
        arguments.deallocate()
    }

    /// The object's `struct io_uring_bpf_ops` variable (the first, if there are several).
    static func loopOps(in object: ObjectFile) throws(LoopError) -> StructOpsVariable {
        guard let ops = object.structOps.first(where: { $0.typeName == "io_uring_bpf_ops" }) else {
            let found = object.structOps.map { "\($0.name) (struct \($0.typeName))" }
            throw LoopError.unsupportedProgram(
                "the object has no struct io_uring_bpf_ops variable in .struct_ops or .struct_ops.link"
                    + (found.isEmpty ? "" : "; it has \(found.joined(separator: ", "))"))
        }
        return ops
    }

    /// Runs `loop_step` once and returns its value.
    func step() throws(LoopError) -> Int32 {
        let interpreter = self.interpreter!
        let slot = engine.interruptSlot
        InterruptTable.setCancellation(slot, interpreter.cancellation)
        defer { InterruptTable.setCancellation(slot, nil) }
        if InterruptTable.isInterrupted(slot) { interpreter.cancellation.cancel() }
        do {
            return Int32(truncatingIfNeeded: try interpreter.run(UInt64(UInt(bitPattern: arguments))))
        } catch {
            throw loopError(error)
        }
    }

    /// Makes the global images read-only (as a kernel load freezes `.rodata`).
    func freezeReadOnlyData() {
        for i in globals.sections.indices where globals.sections[i].data.isReadOnly {
            globals.sections[i].isWritable = false
        }
    }

    // MARK: Binding

    /// Creates global-data images and maps, and returns the value each relocated `lddw` loads.
    private func bindData(of object: ObjectFile, relocations: [ProgramRelocation],
                          instructions: inout [Instruction]) throws(LoopError) -> [Int: UInt64] {
        var sections: [GlobalVariables.Section] = []
        var sectionBase: [String: UInt64] = [:]
        var mapIndex: [String: Int] = [:]
        for map in object.maps {
            if let data = map.globalData {
                let image = UnsafeMutableRawBufferPointer.allocate(byteCount: max(map.valueSize, 8), alignment: 16)
                image.initializeMemory(as: UInt8.self, repeating: 0)
                image.copyBytes(from: data.initialBytes.prefix(map.valueSize))
                images.append(image)
                sections.append(.init(data: data, image: image, isWritable: true))
                sectionBase[data.sectionName] = UInt64(UInt(bitPattern: image.baseAddress))
                memory.grant(name: data.sectionName, base: UInt64(UInt(bitPattern: image.baseAddress)),
                             size: UInt64(map.valueSize), permissions: data.isReadOnly ? .read : .readWrite)
                continue
            }
            guard EmulatedMap.supportedTypes.contains(map.type) else {
                throw LoopError.unsupportedProgram(
                    "map \(map.name): type \(map.type) is not supported by the userspace loop (array, percpu_array, hash are)")
            }
            let emulated = EmulatedMap(name: map.name, kind: map.type, keySize: map.keySize, valueSize: map.valueSize,
                                       maxEntries: map.maxEntries)
            mapIndex[map.name] = maps.count
            maps.append(emulated)
            memory.grant(name: "map \(map.name) values", base: UInt64(UInt(bitPattern: emulated.values.baseAddress)),
                         size: UInt64(emulated.values.count), permissions: .readWrite)
        }
        globals = GlobalVariables(sections: sections, btf: object.btf)

        var values: [Int: UInt64] = [:]
        for relocation in relocations {
            let i = relocation.instruction
            switch relocation.target {
            case .map(let name):
                guard let index = mapIndex[name] else {
                    throw fault(at: i, "lddw of map \(name), which the object does not define")
                }
                values[i] = Self.mapHandleBase + UInt64(index) << 12
            case .globalData(let section, let offset):
                guard let base = sectionBase[section] else {
                    throw fault(at: i, "lddw of global data in \(section), which the object does not define")
                }
                values[i] = base + UInt64(offset)
            case .kfunc(let name):
                guard Self.kfuncs.contains(name) else {
                    throw fault(at: i, "call to unknown kfunc '\(name)': io_uring loop programs may call \(Self.kfuncs.joined(separator: " and "))")
                }
                if name == "bpf_io_uring_submit_sqes", !program.isSleepable {
                    throw fault(at: i, "program must be sleepable to call sleepable kfunc \(name) (put loop_step in SEC(\"struct_ops.s/...\"))")
                }
                instructions[i].src = 2  // BPF_PSEUDO_KFUNC_CALL, as a kernel loader marks it
            case .ksym(let name):
                throw fault(at: i, "ksym \(name) is not available to the userspace loop")
            case .functionAddress(let target):
                values[i] = Self.functionHandleBase + UInt64(target)
            case .subprogram:
                break
            }
        }
        return values
    }

    /// Refuses helper calls the kernel would not allow a loop program (or we do not emulate).
    private func checkCalls(_ instructions: [Instruction]) throws(LoopError) {
        for (i, insn) in instructions.enumerated() where insn.opcode == 0x85 && insn.src == 0 {
            guard BaseHelper(rawValue: insn.imm) != nil else {
                throw fault(at: i, "\(BaseHelper.describe(insn.imm)) is not available to io_uring loop programs")
            }
        }
    }

    private func fault(at index: Int, _ message: String) -> LoopError {
        .unsupportedProgram("\(program.name): instruction \(index)\(location(index)): \(message)")
    }

    private func location(_ index: Int) -> String {
        guard let where_ = program.sourceLocation(at: index) else { return "" }
        let source = where_.source.trimmingSpaces
        return " (\(where_)" + (source.isEmpty ? ")" : ": \(source))")
    }

    private func loopError(_ error: RuntimeError) -> LoopError {
        switch error.reason {
        case .cancelled:
            return LoopError.errno(EINTR, "interrupted by a signal inside loop_step; program state is kept, run again to resume")
        case .hostFunctionFailed(_, let inner as LoopError):
            return inner
        default:
            return .programFault("\(program.name): \(error)\(location(error.index))")
        }
    }

    // MARK: Host functions

    /// The host functions capture `self` unowned(unsafe): they live only in this program's own interpreters,
    /// which never escape it and die with it, so they cannot run after `self` is gone; a checked `unowned`
    /// would cost an atomic retain and release on every call.
    private func hostFunctions() -> HostFunctions {
        var functions = HostFunctions()
        functions.registerKfunc(name: "bpf_io_uring_get_region") { [unowned(unsafe) self] call in
            getRegion(&call)
        }
        functions.registerKfunc(name: "bpf_io_uring_submit_sqes") { [unowned(unsafe) self] call in
            UInt64(bitPattern: Int64(engine.submit(UInt32(truncatingIfNeeded: call.r2))))
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
        let size = call.r3
        guard let region = engine.region(id, size: size) else { return 0 }
        let base = UInt64(UInt(bitPattern: region.baseAddress))
        if let grant = regionGrants[Int(id)] {
            if grant.size >= size { return base }
            call.memory.revoke(grant.id)
        }
        let name = "\(LoopRegion(rawValue: id).map { "\($0)".uppercased() } ?? "?") region"
        regionGrants[Int(id)] = (call.memory.grant(name: name, base: base, size: size, permissions: .readWrite), size)
        return base
    }

    private func callHelper(_ helper: BaseHelper, _ call: inout HostCall) throws(LoopError) -> UInt64 {
        switch helper {
        case .mapLookupElem:
            let map = try map(call.r1, helper)
            let key = try bytes(call, call.r2, map.keySize, "key", helper)
            return map.lookup(key: key).map { UInt64(UInt(bitPattern: $0)) } ?? 0
        case .mapUpdateElem:
            let map = try map(call.r1, helper)
            let key = try bytes(call, call.r2, map.keySize, "key", helper)
            let value = try bytes(call, call.r3, map.valueSize, "value", helper)
            return UInt64(bitPattern: map.update(key: key, value: value, flags: call.r4))
        case .mapDeleteElem:
            let map = try map(call.r1, helper)
            return UInt64(bitPattern: map.delete(key: try bytes(call, call.r2, map.keySize, "key", helper)))
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
            let format = try bytes(call, call.r1, Int(call.r2), "format", helper)
            return try emitPrintk(call, Array(format), [call.r3, call.r4, call.r5])
        case .traceVprintk:
            let format = try bytes(call, call.r1, Int(call.r2), "format", helper)
            let count = Int(call.r4 / 8)
            guard call.r4 % 8 == 0, count <= 12 else { return UInt64(bitPattern: -Int64(EINVAL)) }
            let data = count == 0 ? nil : try bytes(call, call.r3, Int(call.r4), "data", helper)
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
        let target = call.r2 &- Self.functionHandleBase
        guard call.r2 >= Self.functionHandleBase, target < UInt64(program.instructions.count) else {
            throw LoopError.programFault("\(program.name): bpf_loop's callback (r2 = 0x\(String(call.r2, radix: 16))) is not a function of the program\(location(call.instructionIndex))")
        }
        guard !inCallback else {
            throw LoopError.programFault("\(program.name): nested bpf_loop is not supported by the userspace loop\(location(call.instructionIndex))")
        }
        if callbackInterpreter == nil {
            callbackInterpreter = Interpreter(program: interpreter.program, functions: hostFunctions(), memory: memory)
            callbackInterpreter!.instructionBudget = interpreter.instructionBudget
        }
        let callback = callbackInterpreter!
        // The callback may use pointers into the caller's stack (its ctx usually is one).
        let stack = memory.grant(interpreter.stackRegion)
        inCallback = true
        let slot = engine.interruptSlot
        InterruptTable.setCancellation(slot, callback.cancellation)
        defer {
            InterruptTable.setCancellation(slot, interpreter.cancellation)
            inCallback = false
            memory.revoke(stack)
        }
        var iterations: UInt64 = 0
        while iterations < call.r1 {
            let result: UInt64
            do {
                result = try callback.run(entry: Int(target), iterations, call.r3)
            } catch {
                throw loopError(error)
            }
            iterations += 1
            if result == 1 { break }
        }
        return iterations
    }

    private func map(_ handle: UInt64, _ helper: BaseHelper) throws(LoopError) -> EmulatedMap {
        let offset = handle &- Self.mapHandleBase
        guard handle >= Self.mapHandleBase, offset & 0xfff == 0, Int(offset >> 12) < maps.count else {
            throw LoopError.programFault("\(program.name): \(helper.name) was passed r1 = 0x\(String(handle, radix: 16)), which is not a map")
        }
        return maps[Int(offset >> 12)]
    }

    private func bytes(_ call: HostCall, _ address: UInt64, _ count: Int, _ what: String,
                       _ helper: BaseHelper) throws(LoopError) -> UnsafeRawBufferPointer {
        guard count >= 0, call.isAccessible(address, size: UInt64(count)) else {
            throw LoopError.programFault(
                "\(program.name): \(helper.name)'s \(what) (\(count) bytes at 0x\(String(address, radix: 16))) is outside the program's memory\(location(call.instructionIndex))")
        }
        return UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(address)), count: count)
    }
}

extension MemoryMap {
    @discardableResult
    fileprivate func grant(name: String, base: UInt64, size: UInt64, permissions: MemoryRegion.Permissions) -> RegionID {
        grant(MemoryRegion(name: name, base: base, size: size, permissions: permissions))
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
