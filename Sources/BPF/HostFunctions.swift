/// The arguments and environment of one call from a BPF program into a host function (helper or kfunc).
///
/// Valid only during the call: it refers to the interpreter's memory map without owning it (the interpreter
/// outlives the call, and retaining the map on every call would cost two atomic operations), so do not keep it.
public struct HostCall {
    /// Argument registers r1–r5.
    public var r1, r2, r3, r4, r5: UInt64
    /// The program's memory map: grant a region here to make a pointer you return usable by the program.
    public unowned(unsafe) let memory: MemoryMap
    /// Index of the calling instruction.
    public let instructionIndex: Int
    /// First address and size of the program's whole stack (all frames).
    @usableFromInline let stackBase, stackSize: UInt64
    @usableFromInline package var stopRequested = false

    // Inlinable so the JIT's host-call path (another module) builds the call in place: a call to the
    // initializer would also retain and release `memory`.
    @inlinable
    package init(
        r1: UInt64, r2: UInt64, r3: UInt64, r4: UInt64, r5: UInt64, memory: MemoryMap, instructionIndex: Int,
        stackBase: UInt64, stackSize: UInt64
    ) {
        (self.r1, self.r2, self.r3, self.r4, self.r5) = (r1, r2, r3, r4, r5)
        self.memory = memory
        self.instructionIndex = instructionIndex
        self.stackBase = stackBase
        self.stackSize = stackSize
    }

    /// The program's whole stack (all frames): pointers into it are valid arguments too.
    public var stack: MemoryRegion {
        MemoryRegion(name: "stack", base: stackBase, size: stackSize, permissions: .readWrite)
    }

    /// Whether the program may access `size` bytes at `address` with `permissions` (a granted region or its
    /// stack). Check pointer arguments with this before dereferencing them.
    public func isAccessible(
        _ address: UInt64, size: UInt64, _ permissions: MemoryRegion.Permissions = .read
    ) -> Bool {
        (address >= stackBase && size <= stackSize && address - stackBase <= stackSize - size)
            || memory.index(containing: address, size: size, permissions: permissions) != nil
    }

    /// Ends the run after this call returns; the run's result is this call's return value.
    public mutating func stopRun() { stopRequested = true }
}

/// A host function callable from BPF: reads `r1`–`r5` from the call, returns `r0`. Throwing stops the run with
/// ``RuntimeError/Reason-swift.enum/hostFunctionFailed(name:error:)`` carrying the thrown error.
public typealias HostFunction = (inout HostCall) throws -> UInt64

/// The host functions a program may call: helpers by id (`call imm`, `callx`) and kfuncs (`call` with `src = 2`)
/// by name or by BTF id. A kfunc call is bound by name when the ``Program`` binds that instruction to a name
/// (``Program/bindKfunc(at:name:)``), otherwise by its `imm` (BTF id).
public struct HostFunctions {
    /// A class so the interpreter can call it through an unowned reference (no retain per call).
    package final class Entry {
        package let name: String
        package let function: HostFunction
        /// With a value n: the result depends only on r1…rn and the memory map, and a repeated call changes
        /// nothing (see ``HostFunctions/registerKfunc(name:btfID:cacheableOn:_:)``).
        package let cacheableOn: Int?

        init(name: String, cacheableOn: Int? = nil, function: @escaping HostFunction) {
            self.name = name
            self.function = function
            self.cacheableOn = cacheableOn
        }
    }

    var helpers: [Int32: Entry] = [:]
    var kfuncsByName: [String: Entry] = [:]
    var kfuncsByID: [Int32: Entry] = [:]

    /// An empty table.
    public init() {}

    /// Registers helper `id` (as in `call id`).
    public mutating func registerHelper(id: Int32, name: String, _ function: @escaping HostFunction) {
        helpers[id] = Entry(name: name, function: function)
    }

    /// Registers a kfunc by name, and optionally by BTF id (the `imm` of its call instructions).
    ///
    /// Pass `cacheableOn: n` for a kfunc whose result depends only on its first n arguments (r1…rn, n at most 5)
    /// and the memory map, and which changes nothing when called again with them (e.g. one that hands out a
    /// region granted at its first call): the interpreter and the JIT then answer a call with the result of the last
    /// call at the same instruction, if the arguments and the memory map are unchanged, without calling.
    public mutating func registerKfunc(
        name: String, btfID: Int32? = nil, cacheableOn: Int? = nil, _ function: @escaping HostFunction
    ) {
        precondition(cacheableOn.map { (0...5).contains($0) } ?? true, "a kfunc has at most 5 arguments")
        let entry = Entry(name: name, cacheableOn: cacheableOn, function: function)
        kfuncsByName[name] = entry
        if let btfID { kfuncsByID[btfID] = entry }
    }

    /// Name of helper `id`, if registered.
    public func helperName(_ id: Int32) -> String? { helpers[id]?.name }

    /// Name of the kfunc registered under BTF id `id`, if any.
    public func kfuncName(btfID id: Int32) -> String? { kfuncsByID[id]?.name }
}
