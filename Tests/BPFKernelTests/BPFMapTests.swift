import BPFKernel
import SystemPackage
import Testing

@Suite("bpf() maps", .enabled(if: runningAsRoot, "bpf() needs root"))
struct BPFMapTests {
    @Test("array map: update, lookup, out-of-range keys, delete is refused")
    func arrayMap() throws {
        let map = try BPFMap(BPFMapSpec(type: .array, keySize: 4, valueSize: 8, maxEntries: 4, name: "test_array"))
        #expect(try map.lookup(key: UInt32(3), as: UInt64.self) == 0)  // arrays are preallocated, zeroed
        try map.update(key: UInt32(3), value: UInt64(0x1122_3344_5566_7788))
        #expect(try map.lookup(key: UInt32(3), as: UInt64.self) == 0x1122_3344_5566_7788)
        #expect(try map.lookup(key: UInt32(4), as: UInt64.self) == nil)  // index past max_entries
        let error = #expect(throws: BPFError.self) { try map.delete(key: UInt32(0)) }
        #expect(error?.errno == .invalidArgument)
        #expect(error?.command == .mapDeleteElement)

        let info = try map.info()
        #expect(info.type == .array)
        #expect(info.keySize == 4 && info.valueSize == 8 && info.maxEntries == 4)
        #expect(info.name == "test_array")
        #expect(info.id != 0)
    }

    @Test("hash map: create, replace, NOEXIST/EXIST modes, delete")
    func hashMap() throws {
        let map = try BPFMap(BPFMapSpec(type: .hash, keySize: 8, valueSize: 4, maxEntries: 16, name: "test_hash"))
        #expect(try map.lookup(key: UInt64(42), as: UInt32.self) == nil)
        try map.update(key: UInt64(42), value: UInt32(7), mode: .noExist)
        #expect(try map.lookup(key: UInt64(42), as: UInt32.self) == 7)

        let exists = #expect(throws: BPFError.self) { try map.update(key: UInt64(42), value: UInt32(8), mode: .noExist) }
        #expect(exists?.errno == .fileExists)
        #expect(exists?.command == .mapUpdateElement)
        let absent = #expect(throws: BPFError.self) { try map.update(key: UInt64(43), value: UInt32(8), mode: .exist) }
        #expect(absent?.errno == .noSuchFileOrDirectory)

        try map.update(key: UInt64(42), value: UInt32(9), mode: .exist)
        #expect(try map.lookup(key: UInt64(42), as: UInt32.self) == 9)
        #expect(try map.delete(key: UInt64(42)))
        #expect(try map.delete(key: UInt64(42)) == false)
        #expect(try map.lookup(key: UInt64(42), as: UInt32.self) == nil)
    }

    @Test("a key or value of the wrong size is refused before the syscall")
    func wrongSizes() throws {
        let map = try BPFMap(BPFMapSpec(type: .hash, keySize: 8, valueSize: 4, maxEntries: 1, name: "sized"))
        let error = #expect(throws: BPFError.self) { try map.update(key: UInt32(1), value: UInt32(1)) }
        #expect(error?.errno == .invalidArgument)
        #expect(error?.description.contains("8-byte keys") == true)
    }

    @Test("freeze makes a map read-only for user space")
    func freeze() throws {
        let map = try BPFMap(
            BPFMapSpec(type: .array, keySize: 4, valueSize: 4, maxEntries: 1, flags: .readOnlyProgram, name: "rodata"))
        try map.update(key: UInt32(0), value: UInt32(5))
        try map.freeze()
        let error = #expect(throws: BPFError.self) { try map.update(key: UInt32(0), value: UInt32(6)) }
        #expect(error?.errno == .notPermitted)
        #expect(try map.lookup(key: UInt32(0), as: UInt32.self) == 5)
    }

    @Test("an mmapable array map shares memory with lookup and update")
    func mmapableArray() throws {
        let map = try BPFMap(
            BPFMapSpec(type: .array, keySize: 4, valueSize: 8, maxEntries: 4, flags: .mmapable, name: "globals"))
        let memory = try BPFMapMemory(mapping: map)
        #expect(memory.bytes.count == 32)
        memory.bytes.storeBytes(of: UInt64(0xfeed_f00d), toByteOffset: 2 * 8, as: UInt64.self)
        #expect(try map.lookup(key: UInt32(2), as: UInt64.self) == 0xfeed_f00d)
        try map.update(key: UInt32(1), value: UInt64(99))
        #expect(memory.bytes.load(fromByteOffset: 8, as: UInt64.self) == 99)
    }

    @Test("mmap of a map without BPF_F_MMAPABLE fails with a clear error")
    func mmapRefused() throws {
        let map = try BPFMap(BPFMapSpec(type: .array, keySize: 4, valueSize: 8, maxEntries: 1, name: "plain"))
        let error = #expect(throws: BPFError.self) { _ = try BPFMapMemory(mapping: map) }
        #expect(error?.command == nil)
        #expect(error?.description.contains("mmap map \"plain\"") == true)
    }

    @Test("an invalid map spec reports BPF_MAP_CREATE and EINVAL")
    func invalidSpec() throws {
        let error = #expect(throws: BPFError.self) {
            _ = try BPFMap(BPFMapSpec(type: .array, keySize: 8, valueSize: 8, maxEntries: 1, name: "bad_key"))
        }
        #expect(error?.command == .mapCreate)
        #expect(error?.errno == .invalidArgument)
        #expect(error?.description.contains("EINVAL") == true)
    }

    @Test("a struct_ops link needs a struct_ops map")
    func linkNeedsStructOpsMap() throws {
        let map = try BPFMap(BPFMapSpec(type: .array, keySize: 4, valueSize: 8, maxEntries: 1, name: "not_ops"))
        let error = #expect(throws: BPFError.self) { _ = try BPFLink(structOps: map) }
        #expect(error?.command == .linkCreate)
        #expect(error?.errno == .invalidArgument)
    }
}
