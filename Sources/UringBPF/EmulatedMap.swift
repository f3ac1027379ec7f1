import BPFObject

#if canImport(Glibc)
import Glibc
#endif

/// A BPF map living in host memory for the userspace loop, with the kernel's semantics
/// for lookup, update and delete. Values sit at stable addresses in one block (`values`)
/// that the interpreter grants to the program, so `bpf_map_lookup_elem` can return a
/// pointer the program reads and writes in place, as in the kernel.
final class EmulatedMap {
    /// The map types the userspace loop emulates (a per-CPU array has one CPU: the loop runs on one thread;
    /// an LRU hash behaves as a hash that never evicts).
    static let supportedTypes: [MapType] = [.array, .perCPUArray, .hash, .lruHash]

    /// Flags of `bpf_map_update_elem`.
    enum UpdateFlag: UInt64 {
        case any = 0, noExist = 1, exist = 2
    }

    let name: String
    let kind: MapType
    let keySize: Int
    /// A hash (or LRU hash) map; otherwise an array indexed by a `u32` key.
    var isHash: Bool { kind == .hash || kind == .lruHash }
    let valueSize: Int
    let maxEntries: Int
    /// Value storage: `maxEntries` slots of `valueStride` bytes, zero-initialised.
    let values: UnsafeMutableRawBufferPointer
    /// Each value slot's stride (value size rounded up to 8, as the kernel aligns values).
    let valueStride: Int

    // Hash maps only: slot keys and occupancy.
    private var keys: [UInt8]
    private var used: [Bool]
    private var index: [[UInt8]: Int] = [:]

    init(name: String, kind: MapType, keySize: Int, valueSize: Int, maxEntries: Int) {
        self.name = name
        self.kind = kind
        self.keySize = keySize
        self.valueSize = valueSize
        self.maxEntries = maxEntries
        valueStride = (valueSize + 7) & ~7
        let bytes = max(valueStride * maxEntries, 8)
        values = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 16)
        values.initializeMemory(as: UInt8.self, repeating: 0)
        keys = kind == .hash || kind == .lruHash ? [UInt8](repeating: 0, count: keySize * maxEntries) : []
        used = kind == .hash || kind == .lruHash ? [Bool](repeating: false, count: maxEntries) : []
    }

    deinit { values.deallocate() }

    /// The value address for `key`, or nil when absent (`bpf_map_lookup_elem`).
    func lookup(key: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        slot(for: key).map { values.baseAddress! + $0 * valueStride }
    }

    /// `bpf_map_update_elem`: returns 0 or a negative errno, as the kernel does.
    func update(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: UInt64) -> Int64 {
        guard let flag = UpdateFlag(rawValue: flags & ~4) else { return -Int64(EINVAL) } // 4 = BPF_F_LOCK
        switch isHash {
        case false:
            guard let slot = slot(for: key) else { return -Int64(E2BIG) }
            if flag == .noExist { return -Int64(EEXIST) }
            copyValue(value, to: slot)
            return 0
        case true:
            if let slot = slot(for: key) {
                if flag == .noExist { return -Int64(EEXIST) }
                copyValue(value, to: slot)
                return 0
            }
            if flag == .exist { return -Int64(ENOENT) }
            guard let free = used.firstIndex(of: false) else { return -Int64(E2BIG) }
            used[free] = true
            let k = [UInt8](key)
            keys.replaceSubrange(free * keySize..<(free + 1) * keySize, with: k)
            index[k] = free
            copyValue(value, to: free)
            return 0
        }
    }

    /// `bpf_map_delete_elem`: returns 0 or a negative errno.
    func delete(key: UnsafeRawBufferPointer) -> Int64 {
        switch isHash {
        case false:
            return -Int64(EINVAL)
        case true:
            let k = [UInt8](key)
            guard let slot = index.removeValue(forKey: k) else { return -Int64(ENOENT) }
            used[slot] = false
            (values.baseAddress! + slot * valueStride).initializeMemory(as: UInt8.self, repeating: 0, count: valueStride)
            return 0
        }
    }

    private func slot(for key: UnsafeRawBufferPointer) -> Int? {
        switch isHash {
        case false:
            let i = Int(key.loadUnaligned(as: UInt32.self))
            return i < maxEntries ? i : nil
        case true:
            return index[[UInt8](key)]
        }
    }

    private func copyValue(_ value: UnsafeRawBufferPointer, to slot: Int) {
        (values.baseAddress! + slot * valueStride).copyMemory(from: value.baseAddress!, byteCount: valueSize)
    }
}
