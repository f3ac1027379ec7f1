import BPFObject
import Foundation
import SystemPackage
import Testing

@testable import BPFKernel

/// Kernel BTF with the Linux 7.2 io_uring loop types (the layout of Debian's 7.2.13 kernel), written with
/// BPFObject's BTF writer, so the loader's lookups are checked on any kernel. Ids differ from a real vmlinux.
enum IoUringKernelBTF {
    static func types(withLoop: Bool = true) -> [BTFType] {
        func int(_ name: String, _ size: UInt32, signed: Bool) -> BTFType {
            BTFType(kind: .int, name: name, body: .int(size: size, encoding: signed ? 1 : 0, bitOffset: 0, bits: UInt8(size * 8)))
        }
        func pointer(_ to: UInt32) -> BTFType { BTFType(kind: .pointer, body: .reference(to)) }
        func member(_ name: String, _ type: UInt32, bits: UInt32) -> BTFMember { BTFMember(name: name, type: type, rawOffset: bits) }
        var types: [BTFType] = [
            .void,
            int("int", 4, signed: true),  // 1
            int("unsigned int", 4, signed: false),  // 2
            BTFType(kind: .typedef, name: "__u32", body: .reference(2)),  // 3
            BTFType(kind: .struct, name: "iou_ctx", body: .members(size: 0, [])),  // 4
            pointer(4),  // 5
            BTFType(kind: .struct, name: "iou_loop_params", body: .members(size: 4, [member("cq_wait_idx", 3, bits: 0)])),  // 6
            pointer(6),  // 7
            BTFType(kind: .functionPrototype, body: .prototype(returnType: 1, parameters: [
                BTFParameter(name: "", type: 5), BTFParameter(name: "", type: 7)])),  // 8
            pointer(8),  // 9
            pointer(0),  // 10
            BTFType(kind: .struct, name: "bpf_struct_ops_common_value", body: .members(size: 8, [
                member("refcnt", 1, bits: 0), member("state", 1, bits: 32)])),  // 11
            int("unsigned char", 1, signed: false),  // 12
            pointer(12),  // 13
            BTFType(kind: .functionPrototype, body: .prototype(returnType: 1, parameters: [
                BTFParameter(name: "loop_ctx", type: 5), BTFParameter(name: "nr", type: 3)])),  // 14
            int("long unsigned int", 8, signed: false),  // 15
            BTFType(kind: .const, body: .reference(15)),  // 16
            BTFType(kind: .functionPrototype, body: .prototype(returnType: 13, parameters: [
                BTFParameter(name: "loop_ctx", type: 5), BTFParameter(name: "region_id", type: 3),
                BTFParameter(name: "rdwr_buf_size", type: 16)])),  // 17
        ]
        if withLoop {
            types += [
                BTFType(kind: .struct, name: "io_uring_bpf_ops", body: .members(size: 24, [
                    member("loop_step", 9, bits: 0), member("ring_fd", 3, bits: 64), member("priv", 10, bits: 128)])),  // 18
                BTFType(kind: .struct, name: "bpf_struct_ops_io_uring_bpf_ops", body: .members(size: 128, [
                    member("common", 11, bits: 0), member("data", 18, bits: 512)])),  // 19
                BTFType(kind: .function, name: "bpf_io_uring_submit_sqes", body: .function(prototype: 14, linkage: .global)),  // 20
                BTFType(kind: .function, name: "bpf_io_uring_get_region", body: .function(prototype: 17, linkage: .global)),  // 21
            ]
        }
        return types
    }

    static func kernel(withLoop: Bool = true) throws -> KernelBTF {
        KernelBTF(btf: try BTF(bytes: BTFWriter.encode(types(withLoop: withLoop))), source: "test BTF")
    }
}

@Suite("kernel BTF lookups and the loader's checks (no kernel objects)")
struct KernelLoaderTests {
    @Test("io_uring_bpf_ops resolves from BTF: ids, value size, data offset, member indices and offsets")
    func structOpsLayout() throws {
        let ops = try IoUringKernelBTF.kernel().structOps(named: "io_uring_bpf_ops")
        #expect(ops.typeID == 18 && ops.valueTypeID == 19)
        #expect(ops.size == 24 && ops.valueSize == 128 && ops.dataOffset == 64)
        #expect(ops.members.map(\.name) == ["loop_step", "ring_fd", "priv"])
        #expect(ops.member(named: "loop_step").map { ($0.index, $0.offset, $0.isFunctionPointer) } ?? (-1, -1, false) == (0, 0, true))
        #expect(ops.member(named: "ring_fd").map { ($0.offset, $0.size, $0.isFunctionPointer) } ?? (-1, -1, true) == (8, 4, false))
        // A libbpf-style flavour suffix names the same type.
        #expect(try IoUringKernelBTF.kernel().structOps(named: "io_uring_bpf_ops___v72") == ops)
    }

    @Test("kfuncs resolve to their FUNC ids; a kernel without them says which Linux is needed")
    func kfuncs() throws {
        let kernel = try IoUringKernelBTF.kernel()
        #expect(try kernel.kfunc(named: "bpf_io_uring_submit_sqes") == .init(name: "bpf_io_uring_submit_sqes", typeID: 20, parameterCount: 2))
        #expect(try kernel.kfunc(named: "bpf_io_uring_get_region").typeID == 21)

        let old = try IoUringKernelBTF.kernel(withLoop: false)
        #expect(!old.hasIoUringBPFOps)
        let error = #expect(throws: BPFLoaderError.self) { _ = try old.kfunc(named: "bpf_io_uring_submit_sqes") }
        #expect(error?.kind == .unsupportedKernel)
        #expect(error?.description.contains("this kernel has no kfunc bpf_io_uring_submit_sqes (needs Linux 7.1+)") == true)
        let opsError = #expect(throws: BPFLoaderError.self) { _ = try old.structOps(named: "io_uring_bpf_ops") }
        #expect(opsError?.description.contains("this kernel has no io_uring_bpf_ops (needs Linux 7.1+)") == true)
        #expect(opsError?.description.contains("bpf_struct_ops_io_uring_bpf_ops") == true)
    }

    @Test("the running kernel: io_uring_bpf_ops resolves, or the error says it needs Linux 7.1+")
    func runningKernel() throws {
        let kernel = try KernelBTF.current()
        #expect(kernel.btf.typeCount > 1000)
        guard kernel.hasIoUringBPFOps else {
            let error = #expect(throws: BPFLoaderError.self) { _ = try kernel.structOps(named: "io_uring_bpf_ops") }
            #expect(error?.kind == .unsupportedKernel)
            #expect(error?.description.hasPrefix("this kernel has no io_uring_bpf_ops (needs Linux 7.1+)") == true)
            return
        }
        let ops = try kernel.structOps(named: "io_uring_bpf_ops")
        #expect(ops.dataOffset + ops.size <= ops.valueSize)
        #expect(ops.member(named: "loop_step")?.isFunctionPointer == true)
        #expect(ops.member(named: "loop_step")?.index == 0)
        #expect(ops.member(named: "ring_fd")?.size == 4)
        #expect(try kernel.kfunc(named: "bpf_io_uring_submit_sqes").parameterCount == 2)
        #expect(try kernel.kfunc(named: "bpf_io_uring_get_region").parameterCount == 3)
    }

    @Test("loading on a kernel without io_uring_bpf_ops fails with the clear message before creating anything")
    func loadWithoutSupport() throws {
        let loader = KernelObjectLoader(try TestObjects.example("nops_seq"))
        let error = #expect(throws: BPFLoaderError.self) {
            _ = try loader.load(kernelBTF: IoUringKernelBTF.kernel(withLoop: false))
        }
        #expect(error?.kind == .unsupportedKernel)
        #expect(error?.description.hasPrefix("this kernel has no io_uring_bpf_ops (needs Linux 7.1+)") == true)
        #expect(error?.kernelError == nil)
        if !((try? KernelBTF.current().hasIoUringBPFOps) ?? false) {
            let current = #expect(throws: BPFLoaderError.self) { _ = try loader.load() }
            #expect(current?.description.hasPrefix("this kernel has no io_uring_bpf_ops (needs Linux 7.1+)") == true)
        }
    }

    @Test("missing or malformed kernel BTF files give clear errors")
    func badKernelBTFFiles() throws {
        let missing = #expect(throws: BPFLoaderError.self) { _ = try KernelBTF(contentsOf: "/nonexistent/vmlinux") }
        #expect(missing?.kind == .kernelBTF)
        #expect(missing?.description.contains("/nonexistent/vmlinux") == true)
        #expect(missing?.description.contains("ENOENT") == true)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-vmlinux-\(getpid())").path
        try Data([0x9f, 0xeb, 1, 0, 24, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let malformed = #expect(throws: BPFLoaderError.self) { _ = try KernelBTF(contentsOf: path) }
        #expect(malformed?.kind == .kernelBTF)
        #expect(malformed?.description.contains("malformed") == true)
    }

    @Test("the load plan: each struct_ops program gets its kernel type id and member index, kfuncs their ids")
    func loadPlan() throws {
        let object = try TestObjects.example("nops_seq")
        let plan = try LoadPlan(object, kernel: IoUringKernelBTF.kernel())
        let target = try #require(plan.programTargets["nops_seq_step"])
        #expect(target.typeID == 18 && target.memberIndex == 0 && target.memberName == "loop_step")
        #expect(plan.kernelIDs == ["bpf_io_uring_submit_sqes": 20, "bpf_io_uring_get_region": 21])
        #expect(plan.structOps.map(\.variable.name) == ["nops_seq_ops"])
    }

    @Test("objects the loader cannot attach are refused before anything is created, saying why")
    func unsupportedObjects() throws {
        let kernel = try IoUringKernelBTF.kernel()
        let plain = #expect(throws: BPFLoaderError.self) {
            _ = try LoadPlan(TestObjects.program("plain_struct_ops"), kernel: kernel)
        }
        #expect(plain?.kind == .object)
        #expect(plain?.description.contains("struct_ops plain_ops is in .struct_ops; only .struct_ops.link") == true)
        let orphan = #expect(throws: BPFLoaderError.self) {
            _ = try LoadPlan(TestObjects.program("orphan_program"), kernel: kernel)
        }
        #expect(orphan?.description.contains("orphan_step is not referenced by any struct_ops variable") == true)
    }

    @Test("relocations: kfunc calls get src 2 and the kernel id, globals become map values with offsets")
    func relocations() throws {
        let object = try TestObjects.example("nops_seq")
        let program = try #require(object.program(named: "nops_seq_step"))
        var relocator = ProgramRelocator()
        relocator.kernelIDs = ["bpf_io_uring_submit_sqes": 20, "bpf_io_uring_get_region": 21]
        let sections = Set(object.maps.compactMap(\.globalData?.sectionName))
        for (index, section) in sections.sorted().enumerated() { relocator.globalDataFDs[section] = Int32(100 + index) }
        let bytes = try relocator.apply(to: program.instructions, program.relocations, program: program.name)
        #expect(bytes.count == program.instructions.count * 8)

        var kfuncCalls = 0, globalLoads = 0
        for relocation in program.relocations {
            let i = relocation.instruction * 8
            let src = bytes[i + 1] >> 4
            let imm = bytes[(i + 4)..<(i + 8)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            switch relocation.target {
            case .kfunc(let name):
                kfuncCalls += 1
                #expect(src == 2)
                #expect(imm == relocator.kernelIDs[name])
                #expect(bytes[i + 2] == 0 && bytes[i + 3] == 0)  // off 0: vmlinux
            case .globalData(let section, let offset):
                globalLoads += 1
                #expect(src == 2)
                #expect(Int32(bitPattern: imm) == relocator.globalDataFDs[section])
                let second = bytes[(i + 12)..<(i + 16)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                #expect(Int(second) == offset)
            default: break
            }
        }
        #expect(kfuncCalls >= 3)  // get_region twice, submit_sqes once
        #expect(globalLoads > 0)

        let unresolved = #expect(throws: BPFLoaderError.self) {
            _ = try ProgramRelocator().apply(to: program.instructions, program.relocations, program: program.name)
        }
        #expect(unresolved?.kind == .object)
    }

    @Test("the struct_ops map value: program fd and ring_fd inside data, every other byte zero")
    func structOpsValue() throws {
        let object = try TestObjects.example("nops_seq")
        let kernel = try IoUringKernelBTF.kernel()
        let variable = try #require(object.structOps.first)
        let binding = StructOpsBinding(
            variable: variable, kernelType: try kernel.structOps(named: "io_uring_bpf_ops"),
            layout: try variable.kernelLayout(localBTF: try #require(object.btf), kernelBTF: kernel.btf))
        let value = try StructOpsValue.build(binding, programFDs: ["nops_seq_step": 42], setting: ["ring_fd": 7])
        var expected = [UInt8](repeating: 0, count: 128)
        expected[64] = 42  // loop_step = program fd (u64) at data + 0
        expected[72] = 7  // ring_fd (u32) at data + 8
        #expect(value == expected)

        let tooBig = #expect(throws: BPFLoaderError.self) {
            _ = try StructOpsValue.build(binding, programFDs: ["nops_seq_step": 42], setting: ["ring_fd": 1 << 32])
        }
        #expect(tooBig?.description.contains("does not fit") == true)
        let unknown = #expect(throws: BPFLoaderError.self) {
            _ = try StructOpsValue.build(binding, programFDs: ["nops_seq_step": 42], setting: ["ring": 1])
        }
        #expect(unknown?.description.contains("has no member ring") == true)
        let unloaded = #expect(throws: BPFLoaderError.self) {
            _ = try StructOpsValue.build(binding, programFDs: [:], setting: [:])
        }
        #expect(unloaded?.description.contains("nops_seq_step for loop_step was not loaded") == true)
    }

    @Test("globals staged before load: set by name, typed, with clear errors for wrong names and sizes")
    func stagedGlobals() throws {
        var loader = KernelObjectLoader(try TestObjects.example("nops_seq"), name: "nops_seq")
        #expect(try loader.global("sq_entries", as: UInt32.self) == 8)
        #expect(try loader.global("nr_nops", as: UInt32.self) == 1000)
        try loader.setGlobal("sq_entries", to: UInt32(64))
        try loader.setGlobal("nr_nops", to: UInt32(7), in: ".data")
        #expect(try loader.global("sq_entries", as: UInt32.self) == 64)
        #expect(try loader.global("nr_nops", as: UInt32.self) == 7)

        let size = #expect(throws: BPFLoaderError.self) { try loader.setGlobal("nr_nops", to: UInt64(1)) }
        #expect(size?.description.contains("is 4 bytes, but UInt64 is 8") == true)
        let name = #expect(throws: BPFLoaderError.self) { try loader.setGlobal("nr_nop", to: UInt32(1)) }
        #expect(name?.kind == .usage)
        #expect(name?.description.contains(".data:nr_nops") == true)
        let section = #expect(throws: BPFLoaderError.self) { try loader.setGlobal("nr_nops", to: UInt32(1), in: ".bss") }
        #expect(section?.kind == .usage)
        #expect(KernelObjectLoader.mapName(prefix: "nops_seq", ".rodata") == "nops_seq.rodata")
        #expect(KernelObjectLoader.mapName(prefix: "my-long-object", ".bss") == "my_long_.bss")
    }
}
