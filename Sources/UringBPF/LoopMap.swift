import BPFKernel
import BPFObject

/// One of a loop program's maps, read and written from Swift in both modes: in user mode the engine's map in host
/// memory, in kernel mode the kernel's map through `bpf()`.
///
/// A `LoopMap` keeps the map alive, so it stays valid after the ``UringLoop`` is gone. Keys and values are the
/// map's bytes; ``typed(_:_:)`` gives a view with Swift types. Per-CPU maps hold one value per CPU: in kernel mode
/// one per possible CPU, in user mode one (the loop runs on one thread).
public struct LoopMap {
    let storage: any MapStorage

    /// The map's name in the object.
    public var name: String { storage.definition.name }
    /// The map type.
    public var type: MapType { storage.definition.type }
    /// Key size in bytes.
    public var keySize: Int { storage.definition.keySize }
    /// Value size in bytes (of one CPU's value, for a per-CPU map).
    public var valueSize: Int { storage.definition.valueSize }
    /// `max_entries`.
    public var maxEntries: Int { storage.definition.maxEntries }
    /// Values a per-CPU map holds per key (1 for other maps).
    public var cpuCount: Int { type.isPerCPU ? storage.cpuCount : 1 }

    /// The value of `key` (for a per-CPU map, every CPU's value, each padded to 8 bytes), or nil if absent.
    public func lookup(key: [UInt8]) throws(LoopError) -> [UInt8]? {
        try checkKey(key)
        return try storage.lookup(key: key)
    }

    /// Sets `key` to `value` (for a per-CPU map, `value` is every CPU's value, or one value given to all CPUs).
    public func update(key: [UInt8], value: [UInt8], mode: BPFMapUpdateMode = .any) throws(LoopError) {
        try checkKey(key)
        var value = value
        if type.isPerCPU, value.count == valueSize, cpuCount > 1 || valueSize % 8 != 0 {
            let stride = (valueSize + 7) / 8 * 8
            let one = value + [UInt8](repeating: 0, count: stride - valueSize)
            value = Array((0..<cpuCount).map { _ in one }.joined())
        }
        let expected = type.isPerCPU ? (valueSize + 7) / 8 * 8 * cpuCount : valueSize
        guard value.count == expected else {
            throw LoopError(.badArgument, "map \(name) takes \(expected)-byte values, not \(value.count) bytes")
        }
        try storage.update(key: key, value: value, mode: mode)
    }

    /// Removes `key`; false if it was absent. Array maps cannot delete (EINVAL, as in the kernel).
    @discardableResult
    public func delete(key: [UInt8]) throws(LoopError) -> Bool {
        try checkKey(key)
        return try storage.delete(key: key)
    }

    /// Every key, in the map's iteration order.
    public func keys() throws(LoopError) -> [[UInt8]] {
        var keys: [[UInt8]] = []
        var key: [UInt8]? = nil
        while let next = try storage.nextKey(after: key) {
            keys.append(next)
            key = next
            guard keys.count <= maxEntries else { break }
        }
        return keys
    }

    /// A view of this map with `Key` and `Value` as its key and value types; their sizes must be the map's.
    public func typed<Key: BitwiseCopyable, Value: BitwiseCopyable>(
        _ key: Key.Type, _ value: Value.Type
    ) throws(LoopError) -> TypedLoopMap<Key, Value> {
        guard MemoryLayout<Key>.size == keySize, MemoryLayout<Value>.size == valueSize else {
            throw LoopError(.badArgument, "map \(name) has \(keySize)-byte keys and \(valueSize)-byte values, but "
                + "\(Key.self) is \(MemoryLayout<Key>.size) and \(Value.self) is \(MemoryLayout<Value>.size) bytes")
        }
        return TypedLoopMap(map: self)
    }

    private func checkKey(_ key: [UInt8]) throws(LoopError) {
        guard key.count == keySize else {
            throw LoopError(.badArgument, "map \(name) has \(keySize)-byte keys, not \(key.count) bytes")
        }
    }
}

/// A ``LoopMap`` with Swift key and value types.
public struct TypedLoopMap<Key: BitwiseCopyable, Value: BitwiseCopyable> {
    /// The untyped map.
    public let map: LoopMap

    /// The value of `key`, or nil if absent. For a per-CPU map, use ``perCPUValues(_:)``.
    public func lookup(_ key: Key) throws(LoopError) -> Value? {
        guard !map.type.isPerCPU else {
            throw LoopError(.badArgument, "map \(map.name) is per-CPU: read it with perCPUValues(_:)")
        }
        return try map.lookup(key: bytes(of: key)).map { $0.withUnsafeBytes { $0.loadUnaligned(as: Value.self) } }
    }

    /// Every CPU's value of `key` (one in user mode), or nil if absent.
    public func perCPUValues(_ key: Key) throws(LoopError) -> [Value]? {
        guard let raw = try map.lookup(key: bytes(of: key)) else { return nil }
        let stride = map.type.isPerCPU ? (map.valueSize + 7) / 8 * 8 : map.valueSize
        return raw.withUnsafeBytes { bytes in
            (0..<map.cpuCount).map { bytes.loadUnaligned(fromByteOffset: $0 * stride, as: Value.self) }
        }
    }

    /// Sets `key` to `value` (on every CPU, for a per-CPU map).
    public func update(_ key: Key, _ value: Value, mode: BPFMapUpdateMode = .any) throws(LoopError) {
        try map.update(key: bytes(of: key), value: bytes(of: value), mode: mode)
    }

    /// Removes `key`; false if it was absent.
    @discardableResult
    public func delete(_ key: Key) throws(LoopError) -> Bool { try map.delete(key: bytes(of: key)) }

    /// Every key.
    public func keys() throws(LoopError) -> [Key] {
        try map.keys().map { $0.withUnsafeBytes { $0.loadUnaligned(as: Key.self) } }
    }

    /// Every key with its value (not for per-CPU maps).
    public func entries() throws(LoopError) -> [(key: Key, value: Value)] {
        var entries: [(key: Key, value: Value)] = []
        for key in try keys() {
            if let value = try lookup(key) { entries.append((key, value)) }
        }
        return entries
    }

    private func bytes<T: BitwiseCopyable>(of value: T) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }
}

/// The typed name of a program's map, e.g. `MapName<UInt32, UInt64>("counts")`; the build plugin generates one
/// for every map of a compiled object.
public struct MapName<Key: BitwiseCopyable, Value: BitwiseCopyable>: Sendable, Hashable, CustomStringConvertible {
    /// The map's name in the program.
    public let name: String
    /// Names the map `name`, with `Key` keys and `Value` values.
    public init(_ name: String) { self.name = name }
    public var description: String { name }
}

/// Where a ``LoopMap``'s elements live: the user-mode engine's memory or a kernel map. Keys and values are checked
/// for size by ``LoopMap`` before they get here.
protocol MapStorage: AnyObject {
    var definition: MapDefinition { get }
    /// Values per key of a per-CPU map.
    var cpuCount: Int { get }
    func lookup(key: [UInt8]) throws(LoopError) -> [UInt8]?
    func update(key: [UInt8], value: [UInt8], mode: BPFMapUpdateMode) throws(LoopError)
    func delete(key: [UInt8]) throws(LoopError) -> Bool
    func nextKey(after key: [UInt8]?) throws(LoopError) -> [UInt8]?
}
