import SystemPackage
import BPFKernel
import BPFObject

#if canImport(Glibc)
import Glibc
#endif

/// A BPF map living in host memory for the user-mode loop, with the kernel's semantics for lookup, update, delete
/// and iteration. Values sit at stable addresses granted to the program, so `bpf_map_lookup_elem` returns a pointer
/// the program reads and writes in place, as in the kernel.
///
/// Arrays allocate all their values at creation; hashes allocate value slots in chunks as elements arrive. Every
/// allocation is charged to the loop's ``MapMemoryBudget`` (``LoopOptions/maxMapMemory``): a map that cannot fit is
/// refused at load with ENOMEM, an insert that cannot fit fails with -ENOMEM, as the kernel's allocations do.
final class EmulatedMap: MapStorage {
    /// The map types the user-mode loop emulates (a per-CPU array has one CPU: the loop runs on one thread; an LRU
    /// hash behaves as a hash that never evicts).
    static let supportedTypes: [MapType] = [.array, .perCPUArray, .hash, .lruHash]
    /// The kernel's limit on one value (`KMALLOC_MAX_SIZE` on x86-64), beyond which map creation fails with E2BIG.
    static let maxValueSize = 4 << 20

    let definition: MapDefinition
    let cpuCount = 1
    /// Each value slot's stride (the value size rounded up to 8, as the kernel aligns values).
    let valueStride: Int
    private let budget: MapMemoryBudget
    /// Called with each new block of value slots, so the program may access it.
    private let grant: (UnsafeMutableRawBufferPointer) -> Void
    /// Value storage in blocks of `chunkSlots` slots (one block holding everything, for arrays).
    private var chunks: [UnsafeMutableRawBufferPointer] = []
    private let chunkSlots: Int

    // Hash maps only.
    private var slotOfKey: [[UInt8]: Int] = [:]
    private var keyOfSlot: [[UInt8]?] = []
    private var freeSlots: [Int] = []

    var isHash: Bool { definition.type == .hash || definition.type == .lruHash }

    /// Creates the map, refusing what the kernel would refuse (and maps that exceed the budget) with its errno.
    init(_ definition: MapDefinition, budget: MapMemoryBudget,
         grant: @escaping (UnsafeMutableRawBufferPointer) -> Void) throws(LoopError) {
        func refuse(_ errno: Errno, _ why: String) -> LoopError {
            LoopError(.loadFailed, errno: errno, "map \(definition.name) (\(definition.type)): \(why)")
        }
        guard Self.supportedTypes.contains(definition.type) else {
            throw LoopError(.loadFailed, errno: .notSupported,
                "map \(definition.name): type \(definition.type) is not supported by the user-mode loop (array, percpu_array, hash and lru_hash are)")
        }
        guard definition.maxEntries > 0, definition.keySize > 0, definition.valueSize > 0 else {
            throw refuse(.invalidArgument, "max_entries, key size and value size must be positive")
        }
        let isHash = definition.type == .hash || definition.type == .lruHash
        guard isHash || definition.keySize == 4 else { throw refuse(.invalidArgument, "an array map's key is 4 bytes, not \(definition.keySize)") }
        guard definition.valueSize <= Self.maxValueSize, definition.keySize <= 512 else {
            throw refuse(.argListTooLong, "values of \(definition.valueSize) bytes or keys of \(definition.keySize) bytes are too big")
        }
        self.definition = definition
        self.budget = budget
        self.grant = grant
        valueStride = (definition.valueSize + 7) & ~7
        if isHash {
            chunkSlots = min(definition.maxEntries, max(1, 65536 / valueStride))
        } else {
            chunkSlots = definition.maxEntries
            let (bytes, overflow) = definition.maxEntries.multipliedReportingOverflow(by: valueStride)
            guard !overflow, budget.charge(bytes) else {
                throw refuse(.noMemory, "\(definition.maxEntries) values of \(valueStride) bytes exceed "
                    + "the \(budget.limit)-byte limit on map memory (LoopOptions.maxMapMemory)")
            }
            chunks.append(Self.allocate(bytes))
            grant(chunks[0])
        }
    }

    deinit {
        for chunk in chunks { chunk.deallocate() }
        budget.release(chunks.reduce(0) { $0 + $1.count })
    }

    /// The value address for `key`, or nil when absent (`bpf_map_lookup_elem`).
    func lookup(key: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        slot(for: key).map(address(of:))
    }

    /// `bpf_map_update_elem`: 0 or a negative errno, as the kernel returns.
    func update(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: UInt64) -> Int32 {
        guard let mode = BPFMapUpdateMode(rawValue: flags & ~4) else { return -EINVAL }  // 4 = BPF_F_LOCK
        if let slot = slot(for: key) {
            if mode == .noExist { return -EEXIST }
            address(of: slot).copyMemory(from: value.baseAddress!, byteCount: definition.valueSize)
            return 0
        }
        guard isHash else { return -E2BIG }  // an index past the array
        if mode == .exist { return -ENOENT }
        guard slotOfKey.count < definition.maxEntries else { return -E2BIG }
        guard let slot = freeSlot() else { return -ENOMEM }
        let k = [UInt8](key)
        slotOfKey[k] = slot
        keyOfSlot[slot] = k
        address(of: slot).copyMemory(from: value.baseAddress!, byteCount: definition.valueSize)
        return 0
    }

    /// `bpf_map_delete_elem`: 0 or a negative errno.
    func delete(key: UnsafeRawBufferPointer) -> Int32 {
        guard isHash else { return -EINVAL }
        let k = [UInt8](key)
        guard let slot = slotOfKey.removeValue(forKey: k) else { return -ENOENT }
        keyOfSlot[slot] = nil
        freeSlots.append(slot)
        address(of: slot).initializeMemory(as: UInt8.self, repeating: 0, count: valueStride)
        return 0
    }

    // MARK: MapStorage (from Swift)

    func lookup(key: [UInt8]) throws(LoopError) -> [UInt8]? {
        key.withUnsafeBytes { k in lookup(key: k).map { Array(UnsafeRawBufferPointer(start: $0, count: definition.valueSize)) } }
    }

    func update(key: [UInt8], value: [UInt8], mode: BPFMapUpdateMode) throws(LoopError) {
        let result = key.withUnsafeBytes { k in value.withUnsafeBytes { v in update(key: k, value: v, flags: mode.rawValue) } }
        guard result == 0 else {
            throw LoopError(.badArgument, errno: Errno(rawValue: -result), "update of map \(definition.name) failed: \(Errno(rawValue: -result).symbolicName)")
        }
    }

    func delete(key: [UInt8]) throws(LoopError) -> Bool {
        let result = key.withUnsafeBytes { delete(key: $0) }
        if result == -ENOENT { return false }
        guard result == 0 else {
            throw LoopError(.badArgument, errno: Errno(rawValue: -result), "map \(definition.name) cannot delete elements (\(definition.type))")
        }
        return true
    }

    func nextKey(after key: [UInt8]?) throws(LoopError) -> [UInt8]? {
        guard isHash else {
            // Arrays: indices in order; a missing or out-of-range key restarts at 0, as in the kernel.
            let index = key.map { $0.withUnsafeBytes { Int($0.loadUnaligned(as: UInt32.self)) } }
            let next = index.map { $0 < definition.maxEntries ? $0 + 1 : 0 } ?? 0
            guard next < definition.maxEntries else { return nil }
            return withUnsafeBytes(of: UInt32(next).littleEndian) { Array($0) }
        }
        var start = 0
        if let key, let slot = slotOfKey[key] { start = slot + 1 }
        for slot in start..<keyOfSlot.count { if let k = keyOfSlot[slot] { return k } }
        return nil
    }

    // MARK: Storage

    private func slot(for key: UnsafeRawBufferPointer) -> Int? {
        guard isHash else {
            let i = Int(key.loadUnaligned(as: UInt32.self))
            return i < definition.maxEntries ? i : nil
        }
        return slotOfKey[[UInt8](key)]
    }

    private func address(of slot: Int) -> UnsafeMutableRawPointer {
        chunks[slot / chunkSlots].baseAddress! + (slot % chunkSlots) * valueStride
    }

    /// A free hash slot, allocating a chunk when all are taken; nil when the budget is spent.
    private func freeSlot() -> Int? {
        if let slot = freeSlots.popLast() { return slot }
        let slots = min(chunkSlots, definition.maxEntries - chunks.count * chunkSlots)
        guard slots > 0, budget.charge(slots * valueStride) else { return nil }
        let chunk = Self.allocate(slots * valueStride)
        chunks.append(chunk)
        grant(chunk)
        let first = keyOfSlot.count
        keyOfSlot += [[UInt8]?](repeating: nil, count: slots)
        freeSlots = (first + 1..<first + slots).reversed()
        return first
    }

    private static func allocate(_ bytes: Int) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes, 8), alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        return buffer
    }
}

/// The memory all maps of one loop may use (``LoopOptions/maxMapMemory``).
final class MapMemoryBudget {
    let limit: Int
    private(set) var used = 0
    init(limit: Int) { self.limit = limit }

    /// Takes `bytes` from the budget; false (taking nothing) if they do not fit.
    func charge(_ bytes: Int) -> Bool {
        let (total, overflow) = used.addingReportingOverflow(bytes)
        guard !overflow, total <= limit else { return false }
        used = total
        return true
    }

    func release(_ bytes: Int) { used -= min(bytes, used) }
}
