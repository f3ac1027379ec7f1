#if canImport(Glibc)
import Glibc
#endif
import BPFObject
import Testing
@testable import UringBPF

@Suite("Emulated maps keep the kernel's semantics")
struct EmulatedMapTests {
    func map(_ type: MapType, keySize: Int, valueSize: Int, maxEntries: Int) throws -> EmulatedMap {
        let definition = MapDefinition(name: "m", type: type, keySize: keySize, valueSize: valueSize,
                                       maxEntries: maxEntries, flags: [], keyTypeID: 0, valueTypeID: 0, pinning: 0,
                                       numaNode: 0, mapExtra: 0, globalData: nil)
        return try EmulatedMap(definition, budget: MapMemoryBudget(limit: 1 << 20)) { _ in }
    }

    func withKey<R>(_ k: UInt32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(of: k, body)
    }

    @Test func arrayLookupIsInPlaceAndBounded() throws {
        let map = try map(.array, keySize: 4, valueSize: 8, maxEntries: 4)
        let p = withKey(3) { map.lookup(key: $0) }
        #expect(p != nil)
        p!.storeBytes(of: 77 as UInt64, as: UInt64.self)
        let v: UInt64 = 99
        #expect(withKey(3) { k in withUnsafeBytes(of: v) { map.update(key: k, value: $0, flags: 0) } } == 0)
        #expect(p!.load(as: UInt64.self) == 99)
        #expect(withKey(4) { map.lookup(key: $0) } == nil)
        #expect(withKey(4) { k in withUnsafeBytes(of: v) { map.update(key: k, value: $0, flags: 0) } } == -(E2BIG))
        #expect(withKey(0) { k in withUnsafeBytes(of: v) { map.update(key: k, value: $0, flags: 1) } } == -(EEXIST))
        #expect(withKey(0) { map.delete(key: $0) } == -(EINVAL))
    }

    @Test func hashFlagsCapacityAndDelete() throws {
        let map = try map(.hash, keySize: 4, valueSize: 4, maxEntries: 2)
        let v: UInt32 = 5
        func update(_ k: UInt32, _ flags: UInt64) -> Int32 {
            withKey(k) { key in withUnsafeBytes(of: v) { map.update(key: key, value: $0, flags: flags) } }
        }
        #expect(withKey(10) { map.lookup(key: $0) } == nil)
        #expect(update(10, 2) == -(ENOENT))      // BPF_EXIST on a missing key
        #expect(update(10, 1) == 0)                    // BPF_NOEXIST inserts
        #expect(update(10, 1) == -(EEXIST))
        #expect(update(11, 0) == 0)
        #expect(update(12, 0) == -(E2BIG))        // full
        #expect(withKey(10) { map.lookup(key: $0) }?.load(as: UInt32.self) == 5)
        #expect(withKey(10) { map.delete(key: $0) } == 0)
        #expect(withKey(10) { map.delete(key: $0) } == -(ENOENT))
        #expect(update(12, 0) == 0)                    // the freed slot is reused
    }
}
