import BPF

/// A program of an object file made ready for the BPF engine: relocations applied, global data copied into host
/// memory granted to the program (`.rodata` read-only), calls and callbacks linked. One call turns an
/// ``ObjectProgram`` into a runnable `Program`:
///
/// ```swift
/// let object = try ObjectFile(contentsOf: "checksum.bpf.o")
/// let executable = try ExecutableProgram(object.function(named: "checksum")!, of: object)
/// let interpreter = Interpreter(program: executable.program, memory: executable.memory)
/// let r0 = try interpreter.run(memory: buffer)      // r1 = buffer, r2 = its length
/// ```
///
/// Maps and kfuncs need a host that implements them: pass `mapHandle` to give each map the value its `lddw`
/// loads, and `kfuncs` for the kfunc names the host registers; without them such programs are refused with the
/// instruction and source line.
public final class ExecutableProgram {
    /// The object program this was made from.
    public let source: ObjectProgram
    /// The validated program, pseudo loads resolved and kfuncs bound.
    public let program: Program
    /// The memory the program may reach besides its stack: its global-data sections. Grant more (arguments,
    /// buffers) before running, and revoke it after.
    public let memory = MemoryMap()
    /// Global-data images by section name; owned by this object, freed with it.
    package let sections: [String: UnsafeMutableRawBufferPointer]

    /// The value a `lddw` of a function's address loads: `functionHandleBase + instruction index` (a callback a
    /// helper such as `bpf_loop` calls).
    public static let functionHandleBase: UInt64 = 0xFFFF_E000_0000_0000

    /// Prepares `program` (one of `object.programs` or `object.functions`).
    ///
    /// - Parameters:
    ///   - mapHandle: the value a `lddw` of each map loads (nil: the program may not use maps).
    ///   - kfuncs: the kfuncs the host provides.
    public init(
        _ program: ObjectProgram, of object: ObjectFile,
        mapHandle: ((MapDefinition) -> UInt64)? = nil, kfuncs: Set<String> = []
    ) throws(ObjectFileError) {
        source = program
        var images: [String: UnsafeMutableRawBufferPointer] = [:]
        var ok = false
        defer { if !ok { for image in images.values { image.deallocate() } } }
        for map in object.maps {
            guard let data = map.globalData else { continue }
            let image = UnsafeMutableRawBufferPointer.allocate(byteCount: max(map.valueSize, 8), alignment: 16)
            image.initializeMemory(as: UInt8.self, repeating: 0)
            image.copyBytes(from: data.initialBytes.prefix(map.valueSize))
            images[data.sectionName] = image
            memory.grant(MemoryRegion(name: data.sectionName, base: UInt64(UInt(bitPattern: image.baseAddress)),
                                      size: UInt64(map.valueSize), permissions: data.isReadOnly ? .read : .readWrite))
        }

        func refuse(_ index: Int, _ reason: String) -> ObjectFileError {
            var text = "instruction \(index)"
            if let location = program.sourceLocation(at: index) { text += " (\(location))" }
            return .badProgram(section: program.sectionName, name: program.name, reason: "\(text): \(reason)")
        }
        var instructions = program.instructions
        var loads: [Int: UInt64] = [:]
        var kfuncCalls: [(Int, String)] = []
        for relocation in program.relocations {
            let i = relocation.instruction
            guard instructions.indices.contains(i) else { throw refuse(i, "relocation past the end of the program") }
            switch relocation.target {
            case .map(let name):
                guard let definition = object.map(named: name) else { throw refuse(i, "lddw of map \(name), which the object does not define") }
                guard let mapHandle else { throw refuse(i, "the program uses map \(name), and this host provides no maps") }
                loads[i] = mapHandle(definition)
            case .globalData(let section, let offset):
                guard let image = images[section] else { throw refuse(i, "lddw of global data in \(section), which the object does not define") }
                guard offset >= 0, offset <= image.count else { throw refuse(i, "offset \(offset) is outside \(section)") }
                loads[i] = UInt64(UInt(bitPattern: image.baseAddress)) + UInt64(offset)
            case .kfunc(let name):
                guard kfuncs.contains(name) else {
                    throw refuse(i, kfuncs.isEmpty ? "call to kfunc '\(name)', and this host provides no kfuncs"
                        : "call to unknown kfunc '\(name)': this host provides \(kfuncs.sorted().joined(separator: " and "))")
                }
                instructions[i].src = ISA.CallKind.kfunc
                kfuncCalls.append((i, name))
            case .ksym(let name):
                throw refuse(i, "ksym \(name) is a kernel address, not available outside the kernel")
            case .functionAddress(let target):
                loads[i] = Self.functionHandleBase + UInt64(target)
            case .subprogram:
                break
            }
        }
        do {
            var bpf = try Program(instructions)
            for (index, value) in loads { try bpf.resolvePseudoLoad(at: index, to: value) }
            for (index, name) in kfuncCalls { try bpf.bindKfunc(at: index, name: name) }
            self.program = bpf
        } catch {
            throw .badProgram(section: program.sectionName, name: program.name, reason: "\(error)")
        }
        sections = images
        ok = true
    }

    deinit { for image in sections.values { image.deallocate() } }

    /// The source line of instruction `index`, from the object's line info.
    public func sourceLocation(at index: Int) -> SourceLocation? { source.sourceLocation(at: index) }

    /// The bytes of global-data section `name` now, or nil if the object has no such section.
    public func sectionBytes(_ name: String) -> [UInt8]? { sections[name].map { Array($0) } }
}
