import BPF
import Testing

/// The interpreter caches the regions a program used, across host calls and across runs, for as long as the
/// memory map is unchanged. These tests change the map at every point a program can observe (during a host call,
/// between runs, from a second interpreter sharing the map) after the program has used the region, so the region
/// is in the cache when the change happens.
@Suite struct AccessCacheTests {
    /// Holds what host functions set up after the interpreter exists (ids, a second interpreter).
    final class Shared {
        var ids: [String: RegionID] = [:]
        var other: Interpreter?
    }

    private func program(_ source: String) throws -> Program {
        try Program(try Assembler.assemble(source))
    }

    private func violation(
        _ error: RuntimeError?, index: Int, kind: AccessKind, nearest: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let error else {
            Issue.record("expected a memory violation, the run succeeded", sourceLocation: sourceLocation)
            return
        }
        guard case .memoryViolation(_, _, let k, let n) = error.reason else {
            Issue.record("expected a memory violation, got \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.index == index, sourceLocation: sourceLocation)
        #expect(k == kind, sourceLocation: sourceLocation)
        if let nearest { #expect(n?.name == nearest, sourceLocation: sourceLocation) }
    }

    /// Region `a` is cached next to `b`, then a helper revokes it: the next access to `a` is stopped, while `b`
    /// stays usable. (`nearest` is whichever allocation happens to be closer, so only the address is checked.)
    @Test func regionRevokedDuringAHostCallIsStoppedEvenIfRecentlyUsed() throws {
        let a = HostBuffer(64), b = HostBuffer(64)
        let memory = MemoryMap()
        let shared = Shared()
        shared.ids["a"] = memory.grant(MemoryRegion(name: "a", buffer: a.memory))
        memory.grant(MemoryRegion(name: "b", buffer: b.memory))
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "unmap a") { call in
            call.memory.revoke(shared.ids["a"]!)
            return 0
        }
        let vm = Interpreter(
            program: try program(
                """
                mov %r6, %r1
                mov %r7, %r2
                stdw [%r6+8], 1
                stdw [%r7+8], 2
                call 1
                ldxdw %r0, [%r7+8]
                ldxdw %r0, [%r6+8]
                exit
                """), functions: functions, memory: memory)
        let error = failure(vm, a.address, b.address)
        violation(error, index: 6, kind: .load, nearest: nil)
        guard case .memoryViolation(let address, 8, _, _) = error?.reason else { return }
        #expect(address == a.address + 8)
        #expect(a.memory.load(fromByteOffset: 8, as: UInt64.self) == 1)
        #expect(b.memory.load(fromByteOffset: 8, as: UInt64.self) == 2)
    }

    /// The same for a read-only region in the load window, with the revoke happening in a kfunc.
    @Test func readOnlyRegionRevokedByAKfuncIsStopped() throws {
        let ro = HostBuffer(32)
        let memory = MemoryMap()
        let shared = Shared()
        shared.ids["ro"] = memory.grant(MemoryRegion(name: "ro", buffer: UnsafeRawBufferPointer(ro.memory)))
        var functions = HostFunctions()
        functions.registerKfunc(name: "release") { call in
            call.memory.revoke(shared.ids["ro"]!)
            return 0
        }
        var p = try program("mov %r6, %r1\nldxdw %r0, [%r6]\ncall kfunc 0\nldxw %r0, [%r6+4]\nexit")
        try p.bindKfunc(at: 2, name: "release")
        let vm = Interpreter(program: p, functions: functions, memory: memory)
        violation(failure(vm, ro.address), index: 3, kind: .load, nearest: "stack")
    }

    /// A helper swaps a read-write grant for a read-only one over the same bytes: loads still work, stores are
    /// stopped (the cached read-write window must not answer for them).
    @Test func permissionsDowngradedDuringAHostCallAreEnforced() throws {
        let buffer = HostBuffer(64)
        let memory = MemoryMap()
        let shared = Shared()
        shared.ids["rw"] = memory.grant(MemoryRegion(name: "rw", buffer: buffer.memory))
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "freeze") { call in
            call.memory.revoke(shared.ids["rw"]!)
            call.memory.grant(
                MemoryRegion(name: "frozen", buffer: UnsafeRawBufferPointer(buffer.memory), permissions: .read))
            return 0
        }
        let vm = Interpreter(
            program: try program(
                """
                mov %r6, %r1
                stdw [%r6], 7
                call 1
                ldxdw %r0, [%r6]
                stdw [%r6], 8
                exit
                """), functions: functions, memory: memory)
        violation(failure(vm, buffer.address), index: 4, kind: .store, nearest: "frozen")
        #expect(buffer.memory.load(as: UInt64.self) == 7)
    }

    /// A region granted during a host call is usable right after it, next to the regions already cached.
    @Test func regionGrantedDuringAHostCallIsUsable() throws {
        let first = HostBuffer(64), granted = HostBuffer(16)
        let memory = MemoryMap()
        memory.grant(MemoryRegion(name: "first", buffer: first.memory))
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "map") { call in
            call.memory.grant(MemoryRegion(name: "granted", buffer: granted.memory))
            return granted.address
        }
        let vm = Interpreter(
            program: try program(
                """
                mov %r6, %r1
                stdw [%r6], 5
                call 1
                ldxdw %r1, [%r6]
                stxdw [%r0+8], %r1
                ldxdw %r0, [%r0+8]
                exit
                """), functions: functions, memory: memory)
        #expect(try vm.run(first.address) == 5)
        #expect(granted.memory.load(fromByteOffset: 8, as: UInt64.self) == 5)
    }

    /// Revoking between runs: the second run, which would hit the cache of the first, is stopped; granting the
    /// region again (read-only) allows loads but not stores.
    @Test func regionRevokedBetweenRunsIsStopped() throws {
        let buffer = HostBuffer(64)
        let memory = MemoryMap()
        let id = memory.grant(MemoryRegion(name: "value", buffer: buffer.memory))
        let vm = Interpreter(
            program: try program("ldxdw %r0, [%r1]\nadd %r0, 1\nstxdw [%r1], %r0\nexit"), memory: memory)
        #expect(try vm.run(buffer.address) == 1)
        #expect(try vm.run(buffer.address) == 2)
        memory.revoke(id)
        violation(failure(vm, buffer.address), index: 0, kind: .load, nearest: "stack")
        memory.grant(MemoryRegion(name: "again", buffer: UnsafeRawBufferPointer(buffer.memory), permissions: .read))
        violation(failure(vm, buffer.address), index: 2, kind: .store, nearest: "again")
        #expect(buffer.memory.load(as: UInt64.self) == 2)
        memory.removeAll()
        violation(failure(vm, buffer.address), index: 0, kind: .load, nearest: "stack")
    }

    /// Two interpreters share one map, as a `bpf_loop` callback interpreter shares its caller's: a region the
    /// outer program got from a host call and used is revoked by the inner program's helper; the outer program's
    /// next access is stopped, and so is the inner program's next run.
    @Test func regionRevokedThroughASecondInterpreterIsStopped() throws {
        let region = HostBuffer(64)
        let memory = MemoryMap()
        let shared = Shared()
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "get") { call in
            shared.ids["r"] = call.memory.grant(MemoryRegion(name: "region", buffer: region.memory))
            return region.address
        }
        functions.registerHelper(id: 2, name: "loop") { call in
            try shared.other!.run(call.r1)
        }
        functions.registerHelper(id: 3, name: "put") { call in
            call.memory.revoke(shared.ids["r"]!)
            return 0
        }
        let inner = Interpreter(
            program: try program("mov %r6, %r1\nldxdw %r0, [%r6]\nstdw [%r6+8], 9\ncall 3\nexit"),
            functions: functions, memory: memory)
        shared.other = inner
        defer { shared.other = nil }  // inner's host functions hold `shared`: break the cycle
        let outer = Interpreter(
            program: try program(
                """
                call 1
                mov %r6, %r0
                stdw [%r6], 4
                mov %r1, %r6
                call 2
                ldxdw %r0, [%r6+8]
                exit
                """), functions: functions, memory: memory)
        violation(failure(outer), index: 5, kind: .load, nearest: "stack")
        #expect(region.memory.load(fromByteOffset: 8, as: UInt64.self) == 9)
        #expect(memory.regions.isEmpty)
        // The inner interpreter used the region in its last run; its next run must not reach it.
        violation(failure(inner, region.address), index: 1, kind: .load, nearest: "stack")
    }

    /// The other direction: the inner interpreter grants, the outer one uses the grant after the host call
    /// returns, and revokes it; the inner interpreter's next run (its cache filled while the region was granted)
    /// is stopped.
    @Test func regionGrantedThroughASecondInterpreterIsUsableUntilRevoked() throws {
        let region = HostBuffer(64)
        let memory = MemoryMap()
        let shared = Shared()
        var functions = HostFunctions()
        functions.registerHelper(id: 1, name: "get") { call in
            shared.ids["r"] = call.memory.grant(MemoryRegion(name: "region", buffer: region.memory))
            return region.address
        }
        functions.registerHelper(id: 2, name: "loop") { _ in try shared.other!.run() }
        functions.registerHelper(id: 3, name: "put") { call in
            call.memory.revoke(shared.ids["r"]!)
            return 0
        }
        // Run with r1 = 0 it gets the region from helper 1; otherwise it stores at r1.
        let inner = Interpreter(
            program: try program("mov %r0, %r1\njne %r1, 0, use\ncall 1\nuse:\nstdw [%r0], 11\nexit"),
            functions: functions, memory: memory)
        shared.other = inner
        defer { shared.other = nil }  // inner's host functions hold `shared`: break the cycle
        let outer = Interpreter(
            program: try program(
                """
                call 2
                mov %r6, %r0
                ldxdw %r7, [%r6]
                call 3
                mov %r0, %r7
                exit
                """), functions: functions, memory: memory)
        #expect(try outer.run() == 11)
        #expect(memory.regions.isEmpty)
        violation(failure(inner, region.address), index: 3, kind: .store, nearest: "stack")
        #expect(region.memory.load(as: UInt64.self) == 11)
    }

    /// Regions shorter than 8 bytes are cached too, but only for accesses that fit them.
    @Test func shortRegionsAreCheckedExactly() throws {
        let buffer = HostBuffer(16)
        let memory = MemoryMap()
        memory.grant(name: "params", base: buffer.address, size: 4, permissions: .readWrite)
        let vm = Interpreter(
            program: try program("stw [%r1], 3\nldxw %r0, [%r1]\nldxh %r2, [%r1+2]\nldxdw %r2, [%r1]\nexit"),
            memory: memory)
        violation(failure(vm, buffer.address), index: 3, kind: .load, nearest: "params")
        violation(failure(vm, buffer.address), index: 3, kind: .load, nearest: "params")
        let store = Interpreter(program: try program("ldxw %r0, [%r1]\nstw [%r1+1], 3\nexit"), memory: memory)
        violation(failure(store, buffer.address), index: 1, kind: .store, nearest: "params")
    }

    /// More regions than the cache holds, used in turn over many runs: every access is still answered right.
    @Test func manyRegionsInTurn() throws {
        let buffers = (0..<12).map { _ in HostBuffer(8) }
        let memory = MemoryMap()
        for (i, b) in buffers.enumerated() {
            memory.grant(name: "b\(i)", base: b.address, size: 8, permissions: i % 3 == 0 ? .read : .readWrite)
        }
        let vm = Interpreter(program: try program("ldxdw %r0, [%r1]\nstxdw [%r1], %r2\nexit"), memory: memory)
        for round in 1...3 {
            for (i, b) in buffers.enumerated() {
                if i % 3 == 0 {
                    violation(failure(vm, b.address, UInt64(round)), index: 1, kind: .store, nearest: "b\(i)")
                } else {
                    #expect(try vm.run(b.address, UInt64(round)) == UInt64(round - 1))
                }
            }
        }
    }

    /// A store's cached region may be write-only (the same instruction only ever stores, always of one size):
    /// loads from it are still refused, and the store itself is refused once it would cross the region's end.
    @Test func writeOnlyRegionServesOnlyItsStores() throws {
        let buffer = HostBuffer(16)
        let memory = MemoryMap()
        memory.grant(name: "out", base: buffer.address, size: 8, permissions: .write)
        let vm = Interpreter(
            program: try program("mov %r3, %r1\nadd %r3, %r2\nstw [%r3], 7\nldxw %r0, [%r1]\nexit"), memory: memory)
        for offset: UInt64 in [0, 4, 2] {
            violation(failure(vm, buffer.address, offset), index: 3, kind: .load, nearest: "out")
            #expect(buffer.memory.loadUnaligned(fromByteOffset: Int(offset), as: UInt32.self) == 7)
        }
        violation(failure(vm, buffer.address, 5), index: 2, kind: .store, nearest: "out")
    }
}
