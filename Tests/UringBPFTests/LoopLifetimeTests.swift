import Testing
import UringBPF

@Suite("Views into loop memory outlive the loop safely")
struct LoopLifetimeTests {
    @Test(arguments: loopModes)
    func globalsMemoryAndMapsStayValidAfterTheLoopIsGone(mode: LoopMode) throws {
        var globals: GlobalVariables?
        var memory: LoopMemory?
        var map: TypedLoopMap<UInt32, UInt64>?
        do {
            let loop = try userLoop("bpf_nops", mode: mode) {
                $0.globals = [("reqs_to_run", .integer(1000))]
                $0.memSize = 4096
            }
            _ = try loop.run()
            globals = loop.globals
            memory = loop.memory
            try memory!.store(UInt64(0x1122_3344), toByteOffset: 8)
            map = try userLoop("swift_maps", mode: mode).map(named: "array_map").typed(UInt32.self, UInt64.self)
        }
        // The loops are gone; their views keep what they show alive.
        let g = try #require(globals)
        #expect(try g.value("stat_nr_cqes", as: UInt32.self) == 1000)
        try g.set("stat_nr_cqes", to: UInt32(7))
        #expect(try g.value("stat_nr_cqes", as: UInt32.self) == 7)
        let m = try #require(memory)
        #expect(try m.load(fromByteOffset: 8, as: UInt64.self) == 0x1122_3344)
        #expect(m.count == 4096)
        let a = try #require(map)
        try a.update(2, 99)
        #expect(try a.lookup(2) == 99)
    }

    @Test func typedGlobalsCheckSizesAndReadOnlyData() throws {
        let loop = try userLoop("bpf_nops") { $0.globals = [("reqs_to_run", .integer(3))] }
        #expect { _ = try loop.globals.value("reqs_to_run", as: UInt64.self) } throws: { error in
            (error as? LoopError)?.message == "reqs_to_run is 4 bytes, but UInt64 is 8"
        }
        #expect { try loop.globals.set("sq_entries", to: UInt32(1)) } throws: { error in
            (error as? LoopError)?.message.contains("read-only once the program is loaded") == true
        }
        #expect { _ = try loop.globals.value("nope", as: UInt8.self) } throws: { error in
            (error as? LoopError)?.message.contains("the program has no global variable 'nope'") == true
        }
        #expect(try loop.globals.value(GlobalName<UInt32>("reqs_to_run")) == 3)
    }

    @Test func unsignedGlobalsNeverComeBackNegative() throws {
        let loop = try userLoop("bpf_nops") { $0.globals = [("reqs_to_run", .integer(3))] }
        try loop.globals.set("stat_nr_sqes", to: UInt32.max)
        let v = try #require(loop.globals.variable(named: "stat_nr_sqes"))
        #expect(v.integer == .unsigned(UInt64(UInt32.max)))
        #expect(v.formattedValue == "4294967295")
    }

    @Test func valuesThatDoNotFitAreRefusedBeforeLoad() throws {
        #expect {
            _ = try userLoop("bpf_nops") { $0.globals = [("reqs_to_run", .integer(1 << 32))] }
        } throws: { error in
            (error as? LoopError)?.message == "4294967296 does not fit reqs_to_run, which is 4 bytes"
        }
        _ = try userLoop("bpf_nops") { $0.globals = [("reqs_to_run", .integer(-1))] }
    }
}
