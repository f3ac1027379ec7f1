import BPFKernel
import Testing
import UringBPF

@Suite("Maps from Swift, in both modes")
struct LoopMapTests {
    @Test(arguments: loopModes)
    func lookupUpdateDeleteAndIterate(mode: LoopMode) throws {
        let loop = try userLoop("swift_maps", mode: mode)
        let array = try loop.map(named: "array_map").typed(UInt32.self, UInt64.self)
        let hash = try loop.map(MapName<UInt32, UInt64>("hash_map"))
        let perCPU = try loop.map(named: "percpu_map").typed(UInt32.self, UInt64.self)
        try array.update(1, 42)
        try hash.update(7, 70)
        try hash.update(8, 80)
        #expect(try hash.delete(8))
        #expect(try !hash.delete(8), "a second delete finds nothing")

        _ = try loop.run()
        #expect(try loop.globals.value("seen_array", as: UInt64.self) == 42, "the program saw Swift's array value")
        #expect(try loop.globals.value("seen_hash", as: UInt64.self) == 70, "the program saw Swift's hash value")
        #expect(try array.lookup(0) == 1, "Swift sees the program's array update")
        #expect(try array.lookup(3) == 0)
        #expect(try array.keys() == [0, 1, 2, 3])
        let counts = try #require(try perCPU.perCPUValues(0))
        #expect(counts.reduce(0, +) == 1, "one increment, on whichever CPU ran the step: \(counts)")
        #expect(counts.count == (mode == .user ? 1 : possibleCPUCount))
        #expect(try hash.lookup(100) == 0)
        #expect(try hash.lookup(5) == nil)
        #expect(try Set(hash.keys()) == [7, 100])
        #expect(Dictionary(uniqueKeysWithValues: try hash.entries().map { ($0.key, $0.value) }) == [7: 70, 100: 0])
    }

    @Test(arguments: loopModes)
    func wrongSizesNamesAndPerCPUReadsAreClearErrors(mode: LoopMode) throws {
        let loop = try userLoop("swift_maps", mode: mode)
        #expect { _ = try loop.map(named: "nope") } throws: { error in
            (error as? LoopError)?.message.contains("the program has no map 'nope'") == true
        }
        #expect { _ = try loop.map(named: "array_map").typed(UInt64.self, UInt64.self) } throws: { error in
            (error as? LoopError)?.message.contains("4-byte keys and 8-byte values") == true
        }
        #expect { _ = try loop.map(named: "percpu_map").typed(UInt32.self, UInt64.self).lookup(0) } throws: { error in
            (error as? LoopError)?.message.contains("perCPUValues") == true
        }
        #expect(throws: LoopError.self) { try loop.map(named: "array_map").delete(key: [0, 0, 0, 0]) }
        #expect(throws: LoopError.self) { try loop.map(named: "array_map").update(key: [0, 0, 0, 0], value: [1]) }
    }
}
