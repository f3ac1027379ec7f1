import SystemPackage

/// A BPF map owned by this process; its file descriptor is closed when the value goes away.
public struct BPFMap: ~Copyable {
    /// The map's file descriptor (borrowed: do not close it).
    public let descriptor: FileDescriptor
    /// The spec it was created from.
    public let spec: BPFMapSpec

    /// Creates a map (`BPF_MAP_CREATE`).
    public init(_ spec: BPFMapSpec) throws(BPFError) {
        // union bpf_attr, anonymous struct used by BPF_MAP_CREATE.
        var attr = BPFAttr(size: 80)  // offsetofend(map_token_fd)
        attr.set(spec.type.rawValue, at: 0)  // map_type
        attr.set(spec.keySize, at: 4)  // key_size
        attr.set(spec.valueSize, at: 8)  // value_size
        attr.set(spec.maxEntries, at: 12)  // max_entries
        attr.set(spec.flags.rawValue, at: 16)  // map_flags
        attr.set(spec.innerMap?.rawValue ?? 0, at: 20)  // inner_map_fd
        attr.setName(spec.name, at: 28)  // map_name[16]
        attr.set(spec.btf?.rawValue ?? 0, at: 48)  // btf_fd
        attr.set(spec.btfKeyTypeID, at: 52)  // btf_key_type_id
        attr.set(spec.btfValueTypeID, at: 56)  // btf_value_type_id
        attr.set(spec.btfVMLinuxValueTypeID, at: 60)  // btf_vmlinux_value_type_id
        attr.set(spec.mapExtra, at: 64)  // map_extra
        attr.set(spec.valueTypeBTFObject?.rawValue ?? 0, at: 72)  // value_type_btf_obj_fd
        descriptor = try bpfCreateFD(.mapCreate, &attr, operation: "create \(spec.type) map \(Self.quoted(spec.name))")
        self.spec = spec
    }

    deinit { try? descriptor.close() }

    /// Closes the map now instead of at the end of its lifetime.
    public consuming func close() {}

    /// Sets the value for `key` (`BPF_MAP_UPDATE_ELEM`). Both buffers must match the map's key and value sizes.
    public func update(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, mode: BPFMapUpdateMode = .any)
        throws(BPFError)
    {
        try checkSizes(key: key.count, value: value.count, command: .mapUpdateElement)
        var attr = elementAttr(key: key.baseAddress, value: UnsafeRawPointer(value.baseAddress))
        attr.set(mode.rawValue, at: 24)  // flags
        try bpfCall(.mapUpdateElement, &attr, operation: "update element of map \(Self.quoted(spec.name))")
    }

    /// Reads the value for `key` into `value` (`BPF_MAP_LOOKUP_ELEM`). Returns false if there is no such key.
    public func lookup(key: UnsafeRawBufferPointer, into value: UnsafeMutableRawBufferPointer) throws(BPFError) -> Bool {
        try checkSizes(key: key.count, value: value.count, command: .mapLookupElement)
        var attr = elementAttr(key: key.baseAddress, value: UnsafeRawPointer(value.baseAddress))
        do {
            try bpfCall(.mapLookupElement, &attr, operation: "look up element of map \(Self.quoted(spec.name))")
            return true
        } catch where error.errno == .noSuchFileOrDirectory {
            return false
        }
    }

    /// Removes `key` (`BPF_MAP_DELETE_ELEM`). Returns false if there was no such key.
    /// Array maps cannot delete and fail with EINVAL.
    @discardableResult
    public func delete(key: UnsafeRawBufferPointer) throws(BPFError) -> Bool {
        try checkSizes(key: key.count, value: Int(spec.valueSize), command: .mapDeleteElement)
        var attr = elementAttr(key: key.baseAddress, value: nil)
        do {
            try bpfCall(.mapDeleteElement, &attr, operation: "delete element of map \(Self.quoted(spec.name))")
            return true
        } catch where error.errno == .noSuchFileOrDirectory {
            return false
        }
    }

    /// The key after `key` in the map's iteration order, or its first key when `key` is nil
    /// (`BPF_MAP_GET_NEXT_KEY`); nil after the last key.
    public func nextKey(after key: UnsafeRawBufferPointer?, into next: UnsafeMutableRawBufferPointer) throws(BPFError)
        -> Bool
    {
        guard (key?.count ?? Int(spec.keySize)) == Int(spec.keySize), next.count == Int(spec.keySize) else {
            throw BPFError(command: .mapGetNextKey, errno: .invalidArgument,
                           operation: "map \(Self.quoted(spec.name)) has \(spec.keySize)-byte keys")
        }
        var attr = elementAttr(key: key?.baseAddress, value: UnsafeRawPointer(next.baseAddress))  // value = next_key
        do {
            try bpfCall(.mapGetNextKey, &attr, operation: "get next key of map \(Self.quoted(spec.name))")
            return true
        } catch where error.errno == .noSuchFileOrDirectory {
            return false
        }
    }

    /// Bytes of a value as user space reads and writes it: for per-CPU maps one value, rounded up to 8 bytes, per
    /// possible CPU; otherwise the value size.
    public var userValueSize: Int {
        guard spec.type.isPerCPU else { return Int(spec.valueSize) }
        return (Int(spec.valueSize) + 7) / 8 * 8 * possibleCPUCount
    }

    /// Makes the map read-only for user space from now on (`BPF_MAP_FREEZE`), as done for `.rodata`.
    public func freeze() throws(BPFError) {
        var attr = BPFAttr(size: 4)
        attr.set(descriptor.rawValue, at: 0)  // map_fd
        try bpfCall(.mapFreeze, &attr, operation: "freeze map \(Self.quoted(spec.name))")
    }

    // MARK: Typed helpers

    /// Sets `value` for `key`; their sizes must equal the map's key and value sizes.
    public func update<Key: BitwiseCopyable, Value: BitwiseCopyable>(
        key: Key, value: Value, mode: BPFMapUpdateMode = .any
    ) throws(BPFError) {
        var key = key
        var value = value
        let result: Result<Void, BPFError> = withUnsafeBytes(of: &key) { key in
            withUnsafeBytes(of: &value) { value in
                Result { () throws(BPFError) in try update(key: key, value: value, mode: mode) }
            }
        }
        try result.get()
    }

    /// The value for `key` as `Value`, or nil if absent; sizes must equal the map's key and value sizes.
    public func lookup<Key: BitwiseCopyable, Value: BitwiseCopyable>(key: Key, as: Value.Type) throws(BPFError)
        -> Value?
    {
        var key = key
        var bytes = [UInt8](repeating: 0, count: MemoryLayout<Value>.size)
        let result: Result<Bool, BPFError> = withUnsafeBytes(of: &key) { key in
            bytes.withUnsafeMutableBytes { value in
                Result { () throws(BPFError) in try lookup(key: key, into: value) }
            }
        }
        guard try result.get() else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: Value.self) }
    }

    /// Removes `key`; returns false if it was absent.
    @discardableResult
    public func delete<Key: BitwiseCopyable>(key: Key) throws(BPFError) -> Bool {
        var key = key
        let result: Result<Bool, BPFError> = withUnsafeBytes(of: &key) { key in
            Result { () throws(BPFError) in try delete(key: key) }
        }
        return try result.get()
    }

    // MARK: Private

    private func elementAttr(key: UnsafeRawPointer?, value: UnsafeRawPointer?) -> BPFAttr {
        // union bpf_attr, anonymous struct used by BPF_MAP_*_ELEM commands.
        var attr = BPFAttr(size: 32)  // offsetofend(flags)
        attr.set(descriptor.rawValue, at: 0)  // map_fd
        attr.set(key, at: 8)  // key
        attr.set(value, at: 16)  // value
        return attr
    }

    private func checkSizes(key: Int, value: Int, command: BPFCommand) throws(BPFError) {
        guard key == Int(spec.keySize), value == userValueSize || command == .mapDeleteElement else {
            throw BPFError(
                command: command, errno: .invalidArgument,
                operation: "map \(Self.quoted(spec.name)) has \(spec.keySize)-byte keys and \(userValueSize)-byte "
                    + "values, but was given a \(key)-byte key and a \(value)-byte value")
        }
    }

    static func quoted(_ name: String) -> String { name.isEmpty ? "(unnamed)" : "\"\(name)\"" }
}

extension BPFMap {
    /// Sets element 0 of a one-element map (global data, struct_ops) to `value`, which must be the value size.
    func updateFirstElement(_ value: [UInt8]) throws(BPFError) {
        var key: UInt32 = 0
        let result: Result<Void, BPFError> = value.withUnsafeBytes { value in
            withUnsafeBytes(of: &key) { key in Result { () throws(BPFError) in try update(key: key, value: value) } }
        }
        try result.get()
    }
}

/// The number of possible CPUs (`/sys/devices/system/cpu/possible`), which sizes per-CPU map values.
public let possibleCPUCount: Int = {
    guard let fd = try? FileDescriptor.open("/sys/devices/system/cpu/possible", .readOnly) else { return 1 }
    defer { try? fd.close() }
    var buffer = [UInt8](repeating: 0, count: 256)
    let length = (try? buffer.withUnsafeMutableBytes { try fd.read(into: $0) }) ?? 0
    let text = String(decoding: buffer.prefix(length), as: UTF8.self)
    var count = 0
    for part in text.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
        let bounds = part.split(separator: "-").compactMap { Int($0) }
        if bounds.count == 2, bounds[1] >= bounds[0] { count += bounds[1] - bounds[0] + 1 } else if bounds.count == 1 { count += 1 }
    }
    return max(count, 1)
}()
