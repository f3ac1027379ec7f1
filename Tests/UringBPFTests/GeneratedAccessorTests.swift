import BPFObject
import Testing
import UringBPF

/// The Swift that BPFCompilerPlugin generates for a program (here `enum TypedGlobals` for typed_globals.bpf.c): each
/// global and map has the Swift type of its C type, and reading and writing through those names sees the values the
/// program wrote, at the offsets the program used.
@Suite("Generated accessors")
struct GeneratedAccessorTests {
    typealias G = TypedGlobals.Globals

    @Test("C types become Swift types")
    func types() {
        // Compile-time facts, spelled out: a different mapping does not compile.
        let _: GlobalName<Int8> = G.small
        let _: GlobalName<UInt16> = G.ushort
        let _: GlobalName<UInt64> = G.big
        let _: GlobalName<UInt8> = G.flag  // _Bool: any byte is a valid UInt8, not every byte a valid Bool
        let _: GlobalName<Double> = G.ratio
        let _: GlobalName<UInt32> = G.shade
        let _: GlobalName<InlineArray<3, UInt32>> = G.triple
        let _: GlobalName<TypedGlobals.Pair> = G.pair
        let _: GlobalName<InlineArray<2, TypedGlobals.Pair>> = G.pairs
        let _: GlobalName<InlineArray<8, Int8>> = G.name
        let _: GlobalName<InlineArray<4, UInt8>> = G.mixed  // a union: raw bytes
        let _: GlobalName<InlineArray<4, UInt8>> = G.packed  // bitfields: raw bytes
        let _: MapName<UInt32, TypedGlobals.Pair> = TypedGlobals.Maps.by_id
        #expect(TypedGlobals.Programs.typed_globals_step == "typed_globals_step")
        #expect(TypedGlobals.name == "typed_globals" && TypedGlobals.sourceFile == "typed_globals.bpf.c")
        #expect(MemoryLayout<TypedGlobals.Pair>.size == 16)
    }

    @Test("the object is the one the build compiled", arguments: [TypedGlobals.bytes])
    func bytes(_ bytes: [UInt8]) throws {
        #expect(bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]))  // ELF
        #expect(try bytes == LoopTestPrograms.bytes("typed_globals"))
        #expect(try TypedGlobals.object().program(named: "typed_globals_step") != nil)
    }

    @Test("values read and written through the generated names", arguments: loopModes)
    func values(mode: LoopMode) throws {
        var options = LoopOptions()
        options.mode = mode
        let loop = try UringLoop(object: try TypedGlobals.object(), options: options)
        let globals = loop.globals
        // The initial values, before the program ran.
        #expect(try globals.value(G.small) == -2)
        #expect(try globals.value(G.pair).a == 7)
        #expect(try globals.value(G.mixed)[0] == 0x04)  // little-endian 0x01020304

        _ = try loop.run()
        #expect(try globals.value(G.small) == -3)
        #expect(try globals.value(G.ushort) == 65001)
        #expect(try globals.value(G.big) == (1 << 63) + 1)
        #expect(try globals.value(G.flag) == 0)
        #expect(try globals.value(G.ratio) == 1.5)
        #expect(try globals.value(G.shade) == 6)
        let triple = try globals.value(G.triple)
        #expect([triple[0], triple[1], triple[2]] == [10, 20, 30])
        let pair = try globals.value(G.pair)
        #expect(pair.a == 7 && pair.b == 15)
        let pairs = try globals.value(G.pairs)
        #expect(pairs[0].a == 42 && pairs[1].a == 7 && pairs[1].b == 15)
        let name = try globals.value(G.name)
        #expect((0..<5).map { UInt8(bitPattern: name[$0]) } == Array("Uring".utf8))
        let byID = try loop.map(TypedGlobals.Maps.by_id)
        #expect(try byID.lookup(1)?.b == 15)
        #expect(try byID.lookup(2)?.a == 42)

        // Writes land where the program reads.
        try globals.set(G.pair, to: TypedGlobals.Pair(a: 1, b: 2))
        try byID.update(3, TypedGlobals.Pair(a: 3, b: 4))
        #expect(globals.variable(named: "pair")?.bytes == [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0])
        #expect(try byID.lookup(3)?.b == 4)
    }
}
