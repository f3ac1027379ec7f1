import BPF
import BPFObject
import Testing

/// The loop test programs parse into what their header comments promise: the
/// struct_ops wiring, the sleepable flag, the kfuncs and helpers each one uses,
/// and the globals and maps the engine tests rely on.
@Suite("Loop test programs parse")
struct LoopTestProgramsParseTests {
    /// Programs that are valid `struct_ops.s` loop programs, with the kfuncs they call.
    static let sleepablePrograms: [(name: String, kfuncs: Set<String>)] = [
        ("bpf_nops", ["bpf_io_uring_get_region", "bpf_io_uring_submit_sqes"]),
        ("bpf_cp", ["bpf_io_uring_get_region", "bpf_io_uring_submit_sqes"]),
        ("bad_return", []),
        ("regions", ["bpf_io_uring_get_region"]),
        ("out_of_bounds", ["bpf_io_uring_get_region"]),
        ("endless", ["bpf_io_uring_get_region"]),
        ("printk", []),
        ("maps", []),
        ("sq_rewind", ["bpf_io_uring_get_region", "bpf_io_uring_submit_sqes"]),
        ("swift_maps", []),
        ("typed_globals", []),
        ("hostile_sqes", ["bpf_io_uring_get_region", "bpf_io_uring_submit_sqes"]),
    ]

    /// Helper numbers each program calls (`call N` with src 0).
    static let helpers: [String: Set<Int32>] = [
        "bpf_nops": [], "bpf_cp": [6], "bad_return": [], "regions": [], "out_of_bounds": [],
        "endless": [], "printk": [6], "maps": [1, 2, 3, 5, 7, 8, 181], "sq_rewind": [],
        "not_sleepable": [], "swift_maps": [1, 2], "typed_globals": [2], "huge_sizes": [6, 177], "huge_array_map": [1],
        "stray_stores": [],
        "hostile_sqes": [],
    ]

    static func helperCalls(_ program: ObjectProgram) -> Set<Int32> {
        Set(program.instructions.filter { $0.isCall && $0.src == 0 }.map(\.imm))
    }

    static func kfuncCalls(_ program: ObjectProgram) -> Set<String> {
        Set(program.relocations.compactMap { if case .kfunc(let name) = $0.target { name } else { nil } })
    }

    @Test("every program is built")
    func allBuilt() {
        #expect(Set(LoopTestPrograms.names) == Set(Self.helpers.keys))
    }

    @Test("sleepable struct_ops loop programs wired to io_uring_bpf_ops.loop_step",
          arguments: sleepablePrograms.map(\.name))
    func loopProgramShape(name: String) throws {
        let object = try LoopTestPrograms.object(name)
        #expect(object.license == "Dual BSD/GPL")
        let step = try #require(object.program(named: "\(name)_step"))
        #expect(step.sectionName == "struct_ops.s/\(name)_step")
        #expect(step.isStructOps && step.isSleepable)
        #expect(object.programs.count == 1)

        let ops = try #require(object.structOps(named: "\(name)_ops"))
        #expect(ops.isLink && ops.sectionName == ".struct_ops.link")
        #expect(ops.typeName == "io_uring_bpf_ops")
        #expect(ops.program(for: "loop_step") == "\(name)_step")
        #expect(ops.data.count == 24)

        let rodata = try #require(object.globalData(".rodata"))
        #expect(rodata.isReadOnly)
        #expect(rodata.variable(named: "sq_entries")?.size == 4)
        #expect(rodata.variable(named: "cq_entries")?.size == 4)

        let kfuncs = try #require(Self.sleepablePrograms.first { $0.name == name }).kfuncs
        #expect(Self.kfuncCalls(step) == kfuncs)
        for kfunc in kfuncs {
            let ext = try #require(object.extern(named: kfunc))
            #expect(ext.kind == .function && !ext.isWeak && ext.prototypeID != nil)
        }
        #expect(Self.helperCalls(step) == Self.helpers[name])
    }

    @Test("not_sleepable: a struct_ops program without .s that calls submit_sqes")
    func notSleepable() throws {
        let object = try LoopTestPrograms.object("not_sleepable")
        let step = try #require(object.program(named: "not_sleepable_step"))
        #expect(step.sectionName == "struct_ops/not_sleepable_step")
        #expect(step.isStructOps && !step.isSleepable)
        #expect(Self.kfuncCalls(step) == ["bpf_io_uring_get_region", "bpf_io_uring_submit_sqes"])
        let submit = try #require(step.relocations.first { $0.target == .kfunc("bpf_io_uring_submit_sqes") })
        #expect(step.sourceLocation(at: submit.instruction)?.line
            == (try LoopTestPrograms.line(of: "submit_ret = bpf_io_uring_submit_sqes(ctx, 1);", in: "not_sleepable")))
        #expect(try #require(object.structOps(named: "not_sleepable_ops")).program(for: "loop_step") == "not_sleepable_step")
    }

    @Test("bpf_nops: liburing's globals, token and queue depth")
    func nops() throws {
        let object = try LoopTestPrograms.object("bpf_nops")
        let bss = try #require(object.globalData(".bss"))
        for name in ["reqs_to_run", "reqs_inflight", "stat_nr_sqes", "stat_nr_cqes", "error"] {
            #expect(bss.variable(named: name)?.size == 4, "\(name)")
        }
        let step = try #require(object.program(named: "bpf_nops_step"))
        #expect(step.instructions.contains { $0.imm == Int32(bitPattern: 0xabba_1741) })
    }

    @Test("bpf_cp: fds default to -1, 4 KiB chunks, the invalid-token printk format in .rodata")
    func cp() throws {
        let object = try LoopTestPrograms.object("bpf_cp")
        let data = try #require(object.globalData(".data"))
        #expect(Self.value(data, "input_fd") == 0xffff_ffff)
        #expect(Self.value(data, "output_fd") == 0xffff_ffff)
        #expect(Self.value(data, "buffer_size") == 4096)
        let bss = try #require(object.globalData(".bss"))
        #expect(bss.variable(named: "buffer_uptr")?.size == 8)
        #expect(bss.variable(named: "cp_result")?.size == 4)
        #expect(Self.contains(try #require(object.globalData(".rodata")).initialBytes, "invalid token %llu\n\0"))
        let step = try #require(object.program(named: "bpf_cp_step"))
        #expect(step.functions.map(\.name) == ["bpf_cp_step", "issue_next_req"])
    }

    @Test("regions: probe results start at 255 and cq_region_bytes is a 64-bit rodata constant")
    func regions() throws {
        let object = try LoopTestPrograms.object("regions")
        let data = try #require(object.globalData(".data"))
        for name in ["unknown_null", "mem_null", "cq_exact_null", "cq_over_null", "sq_null"] {
            #expect(Self.value(data, name) == 255, "\(name)")
        }
        let rodata = try #require(object.globalData(".rodata"))
        #expect(rodata.variable(named: "cq_region_bytes")?.size == 8)
        #expect(Self.value(rodata, "cq_region_bytes") == 4096)
        #expect(LoopTestPrograms.cqRegionBytes(cqEntries: 16) == 4096)
        #expect(LoopTestPrograms.cqRegionBytes(cqEntries: 256) == 8192)
    }

    @Test("out_of_bounds: each bad access is the load/store on its marker line")
    func outOfBounds() throws {
        let object = try LoopTestPrograms.object("out_of_bounds")
        let step = try #require(object.program(named: "out_of_bounds_step"))
        func accesses(onLineOf marker: String) throws -> [Instruction] {
            let line = try LoopTestPrograms.line(of: marker, in: "out_of_bounds")
            return step.instructions.indices.filter { step.sourceLocation(at: $0)?.line == line }.map { step.instructions[$0] }
        }
        // BPF_LDX|BPF_MEM|BPF_W = 0x61; BPF_ST|BPF_MEM|BPF_W = 0x62; BPF_STX|BPF_MEM|BPF_DW = 0x7b.
        #expect(try accesses(onLineOf: "OOB-READ").contains { $0.opcode == 0x61 })
        #expect(try accesses(onLineOf: "OOB-WRITE").contains { $0.opcode == 0x62 && $0.imm == Int32(bitPattern: 0xdead_beef) })
        #expect(try accesses(onLineOf: "WILD-WRITE").contains { $0.opcode == 0x7b })
        let data = try #require(object.globalData(".data"))
        #expect(Self.value(data, "bad_ptr") == 0x0000_7fff_0000_0000)
        #expect(object.globalData(".bss")?.variable(named: "oob_index")?.size == 8)
    }

    @Test("endless: mode and a 64-bit step counter in .bss")
    func endless() throws {
        let bss = try #require(try LoopTestPrograms.object("endless").globalData(".bss"))
        #expect(bss.variable(named: "mode")?.size == 4)
        #expect(bss.variable(named: "steps")?.size == 8)
    }

    @Test("printk: format and %s argument are .rodata strings")
    func printk() throws {
        let object = try LoopTestPrograms.object("printk")
        let rodata = try #require(object.globalData(".rodata"))
        #expect(Self.contains(rodata.initialBytes, "step %d token %llx name %s\0"))
        let name = try #require(rodata.variable(named: "prog_name"))
        #expect(Array(rodata.initialBytes[name.offset..<name.offset + name.size]) == Array("uring-bpf\0".utf8))
        let step = try #require(object.program(named: "printk_step"))
        #expect(step.relocations.contains { $0.target == .globalData(section: ".rodata", offset: name.offset) })
    }

    @Test("maps: the two BTF-defined maps and the bpf_loop callback")
    func maps() throws {
        let object = try LoopTestPrograms.object("maps")
        let array = try #require(object.map(named: "array_map"))
        #expect(array.type == .array && array.keySize == 4 && array.valueSize == 8 && array.maxEntries == 4)
        let hash = try #require(object.map(named: "hash_map"))
        #expect(hash.type == .hash && hash.keySize == 4 && hash.valueSize == 8 && hash.maxEntries == 8)

        let step = try #require(object.program(named: "maps_step"))
        #expect(Set(step.functions.map(\.name)) == ["maps_step", "array_ops", "hash_ops", "add_index"])
        let callback = try #require(step.functions.first { $0.name == "add_index" })
        #expect(step.relocations.contains { $0.target == .functionAddress(callback.instruction) })
        #expect(step.relocations.contains { $0.target == .map("array_map") })
        #expect(step.relocations.contains { $0.target == .map("hash_map") })

        let data = try #require(object.globalData(".data"))
        #expect(Self.value(data, "hash_full_ret") == 255)
        #expect(Self.value(data, "cpu_id") == 0xffff_ffff)
        #expect(object.globalData(".bss")?.variable(named: "loop_sum")?.size == 8)
    }

    @Test("sq_rewind: per-batch head/tail records")
    func sqRewind() throws {
        let bss = try #require(try LoopTestPrograms.object("sq_rewind").globalData(".bss"))
        for k in 1...3 {
            for name in ["sq_head_\(k)", "sq_tail_\(k)", "submit_ret_\(k)"] {
                #expect(bss.variable(named: name)?.size == 4, "\(name)")
            }
        }
        #expect(bss.variable(named: "cqes_seen") != nil)
    }

    /// The little-endian initial value of a global.
    static func value(_ data: GlobalData, _ name: String) -> UInt64? {
        guard let v = data.variable(named: name) else { return nil }
        return (0..<v.size).reduce(0) { $0 | UInt64(data.initialBytes[v.offset + $1]) << (8 * UInt64($1)) }
    }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<$0 + needle.count]) == needle }
    }
}
