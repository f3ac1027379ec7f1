import BPFObject
import Foundation
import Testing

/// A small BTF with the Linux 7.2 io_uring loop types, built with our writer:
/// the host kernel (6.18) has no io_uring_bpf_ops, so lookups a kernel loader
/// performs are checked against this fixture.
enum IoUringBTFFixture {
    static var types: [BTFType] {
        func int(_ name: String, _ size: UInt32, signed: Bool) -> BTFType {
            BTFType(kind: .int, name: name, body: .int(size: size, encoding: signed ? 1 : 0, bitOffset: 0, bits: UInt8(size * 8)))
        }
        func ptr(_ to: UInt32) -> BTFType { BTFType(kind: .pointer, body: .reference(to)) }
        func member(_ name: String, _ type: UInt32, bits: UInt32) -> BTFMember { BTFMember(name: name, type: type, rawOffset: bits) }
        return [
            .void,
            int("int", 4, signed: true),  // 1
            int("unsigned int", 4, signed: false),  // 2
            BTFType(kind: .typedef, name: "__u32", body: .reference(2)),  // 3
            BTFType(kind: .struct, name: "iou_ctx", body: .members(size: 0, [])),  // 4
            ptr(4),  // 5
            BTFType(kind: .struct, name: "iou_loop_params", body: .members(size: 4, [member("cq_wait_idx", 3, bits: 0)])),  // 6
            ptr(6),  // 7
            BTFType(kind: .functionPrototype, body: .prototype(returnType: 1, parameters: [
                BTFParameter(name: "", type: 5), BTFParameter(name: "", type: 7)])),  // 8
            ptr(8),  // 9
            ptr(0),  // 10: void *
            BTFType(kind: .struct, name: "io_uring_bpf_ops", body: .members(size: 24, [
                member("loop_step", 9, bits: 0), member("ring_fd", 3, bits: 64), member("priv", 10, bits: 128)])),  // 11
            BTFType(kind: .struct, name: "bpf_struct_ops_common_value", body: .members(size: 8, [
                member("refcnt", 1, bits: 0), member("state", 1, bits: 32)])),  // 12
            BTFType(kind: .struct, name: "bpf_struct_ops_io_uring_bpf_ops", body: .members(size: 128, [
                member("common", 12, bits: 0), member("data", 11, bits: 512)])),  // 13
            int("unsigned char", 1, signed: false),  // 14
            ptr(14),  // 15
            BTFType(kind: .typedef, name: "size_t", body: .reference(17)),  // 16
            int("long unsigned int", 8, signed: false),  // 17
            BTFType(kind: .functionPrototype, body: .prototype(returnType: 1, parameters: [
                BTFParameter(name: "loop_ctx", type: 5), BTFParameter(name: "nr", type: 3)])),  // 18
            BTFType(kind: .function, name: "bpf_io_uring_submit_sqes", body: .function(prototype: 18, linkage: .global)),  // 19
            BTFType(kind: .const, body: .reference(16)),  // 20
            BTFType(kind: .functionPrototype, body: .prototype(returnType: 15, parameters: [
                BTFParameter(name: "loop_ctx", type: 5), BTFParameter(name: "region_id", type: 3),
                BTFParameter(name: "rdwr_buf_size", type: 20)])),  // 21
            BTFType(kind: .function, name: "bpf_io_uring_get_region", body: .function(prototype: 21, linkage: .global)),  // 22
            BTFType(kind: .enum, body: .enumerators(size: 4, [
                BTFEnumerator(name: "IOU_LOOP_CONTINUE", value: 0), BTFEnumerator(name: "IOU_LOOP_STOP", value: 1)])),  // 23
        ]
    }

    static func blob() throws -> [UInt8] { try BTFWriter.encode(types) }
}

@Suite("BTF")
struct BTFTests {
    @Test("7.x fixture: the lookups a struct_ops loader makes")
    func ioUringFixture() throws {
        let btf = try BTF(bytes: IoUringBTFFixture.blob())
        #expect(btf.typeCount == IoUringBTFFixture.types.count)
        let ops = try #require(btf.typeID(named: "io_uring_bpf_ops", kind: .struct))
        let value = try #require(btf.typeID(named: "bpf_struct_ops_io_uring_bpf_ops", kind: .struct))
        #expect(try btf.size(of: value) == 128)
        // kern_data_off: the value-type member whose type is the ops struct.
        let data = try #require(try btf.members(of: value).first { $0.type == ops })
        #expect(data.name == "data" && data.offset == 64)
        let loopStep = try #require(try btf.member(named: "loop_step", of: ops))
        #expect(loopStep.index == 0 && loopStep.offset == 0)
        #expect(try btf.member(named: "ring_fd", of: ops)?.offset == 8)
        #expect(try btf.size(of: try #require(try btf.member(named: "ring_fd", of: ops)).type) == 4)
        #expect(btf.typeDescription(loopStep.type) == "int (struct iou_ctx *, struct iou_loop_params *) *")
        // iou_ctx is an empty STRUCT, not a FWD.
        let ctx = try #require(btf.typeID(named: "iou_ctx"))
        #expect(btf.kind(of: ctx) == .struct)
        #expect(try btf.size(of: ctx) == 0)
        let getRegion = try #require(btf.typeID(named: "bpf_io_uring_get_region", kind: .function))
        guard case .function(let proto, .global) = try btf.type(getRegion).body,
            case .prototype(let ret, let params) = try btf.type(proto).body
        else { Issue.record("bpf_io_uring_get_region is not a global FUNC"); return }
        #expect(params.map(\.name) == ["loop_ctx", "region_id", "rdwr_buf_size"])
        #expect(btf.typeDescription(ret) == "unsigned char *")
        #expect(try btf.size(of: params[2].type) == 8)
        #expect(btf.typeID(named: "bpf_io_uring_submit_sqes", kind: .function) == 19)
        #expect(btf.typeID(named: "io_uring_bpf_op") == nil)
    }

    @Test("the committed fixture file Fixtures/io_uring_7.2.btf is the writer's output")
    func committedFixture() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/io_uring_7.2.btf").path
        let blob = try IoUringBTFFixture.blob()
        if ProcessInfo.processInfo.environment["BPFOBJECT_WRITE_FIXTURES"] != nil {
            try Data(blob).write(to: URL(fileURLWithPath: path))
        }
        let committed = try #require(FileManager.default.contents(atPath: path), "regenerate with BPFOBJECT_WRITE_FIXTURES=1 swift test")
        #expect([UInt8](committed) == blob)
        #expect(try BTF(contentsOf: path).typeID(named: "bpf_struct_ops_io_uring_bpf_ops") == 13)
    }

    @Test("decode → encode → decode is the identity for every object's BTF and the fixture")
    func roundTrip() throws {
        var blobs = try [IoUringBTFFixture.blob()]
        for (_, bytes) in Objects.allBytes { blobs.append(try #require(try ObjectFile(bytes: bytes).btf).bytes) }
        for blob in blobs {
            let btf = try BTF(bytes: blob)
            let types = try btf.allTypes()
            let again = try BTF(bytes: BTFWriter.encode(types, preservingStrings: btf.stringSection))
            #expect(try again.allTypes() == types)
            #expect(again.stringSection.starts(with: btf.stringSection))
            let fresh = try BTF(bytes: BTFWriter.encode(types))
            #expect(try fresh.allTypes() == types)
        }
    }

    @Test("DATASEC fix-up: section sizes and variable offsets from the ELF")
    func dataSectionFixup() throws {
        let object = try Objects.example("copy_file")
        let btf = try #require(object.btf)
        for name in [".bss", ".data", ".rodata"] {
            let section = try #require(object.elf.section(named: name))
            let id = try #require(btf.typeID(named: name, kind: .dataSection))
            guard case .dataSection(let size, let vars) = try btf.type(id).body else { Issue.record("\(name)"); continue }
            #expect(Int(size) == section.size)
            for v in vars {
                let symbol = try #require(object.elf.symbols.first { $0.name == btf.name(of: v.type) })
                #expect(UInt64(v.offset) == symbol.value)
            }
        }
    }

    @Test("DATASEC fix-up on synthetic types: offsets, size, hidden → static")
    func dataSectionFixupSynthetic() throws {
        var types: [BTFType] = [
            .void,
            BTFType(kind: .int, name: "int", body: .int(size: 4, encoding: 1, bitOffset: 0, bits: 32)),
            BTFType(kind: .variable, name: "b", body: .variable(type: 1, linkage: .global)),
            BTFType(kind: .variable, name: "a", body: .variable(type: 1, linkage: .global)),
            BTFType(kind: .dataSection, name: ".data", body: .dataSection(size: 0, [
                BTFVariableSection(type: 2, offset: 0, size: 4), BTFVariableSection(type: 3, offset: 0, size: 4)])),
        ]
        try BTFRewrites.fixDataSections(&types, sectionSize: { $0 == ".data" ? 8 : nil }, symbol: { _, name in
            name == "a" ? .init(offset: 0, isStatic: false) : .init(offset: 4, isStatic: true)
        })
        #expect(types[4].body == .dataSection(size: 8, [BTFVariableSection(type: 3, offset: 0, size: 4), BTFVariableSection(type: 2, offset: 4, size: 4)]))
        #expect(types[2].body == .variable(type: 1, linkage: .static))
        #expect(types[3].body == .variable(type: 1, linkage: .global))
    }

    @Test(".ksyms rewrite: FUNCs become a dummy int VAR, linkage global, parameters named, IDs kept")
    func ksymsRewrite() throws {
        let object = try Objects.example("nops_qd")
        let original = try #require(object.btf).allTypes()
        let kernel = try BTF(bytes: object.kernelBTF())
        let rewritten = try kernel.allTypes()
        #expect(rewritten.count >= original.count)
        for id in original.indices {
            #expect(rewritten[id].kind == original[id].kind && rewritten[id].name == original[id].name)
        }
        let ksyms = try #require(kernel.typeID(named: ".ksyms", kind: .dataSection))
        guard case .dataSection(let size, let vars) = try kernel.type(ksyms).body else { Issue.record("no .ksyms"); return }
        #expect(vars.count == 2)
        var end: UInt32 = 0
        for v in vars {
            #expect(kernel.kind(of: v.type) == .variable)
            #expect(try kernel.size(of: v.type) == 4)
            #expect(v.offset >= end)
            end = v.offset + v.size
        }
        #expect(size == end)
        for name in ["bpf_io_uring_submit_sqes", "bpf_io_uring_get_region"] {
            let f = try #require(kernel.typeID(named: name, kind: .function))
            guard case .function(let proto, let linkage) = try kernel.type(f).body,
                case .prototype(_, let params) = try kernel.type(proto).body
            else { Issue.record("\(name)"); continue }
            #expect(linkage == .global)
            #expect(params.allSatisfy { !$0.name.isEmpty })
        }
        // The object's own BTF keeps extern linkage (the rewrite is only for the kernel).
        let f = try #require(object.btf?.typeID(named: "bpf_io_uring_submit_sqes", kind: .function))
        guard case .function(_, let linkage) = try #require(object.btf).type(f).body else { return }
        #expect(linkage == .extern)
    }

    @Test("malformed BTF is rejected with a specific error")
    func malformed() throws {
        let good = try IoUringBTFFixture.blob()
        #expect(throws: BTFError.truncated(what: "BTF header", offset: 0, length: 24, available: 10)) {
            try BTF(bytes: Array(good.prefix(10)))
        }
        var badMagic = good
        badMagic[0] = 0xeb; badMagic[1] = 0x9f  // big-endian BTF
        #expect(throws: BTFError.badMagic(0x9feb)) { try BTF(bytes: badMagic) }
        var badKind = good
        badKind[24 + 7] = 25  // type 1's info: kind 25
        #expect(throws: BTFError.unknownKind(typeID: 1, kind: 25)) { try BTF(bytes: badKind) }
        var badName = good
        badName[24 + 0] = 0xff; badName[24 + 1] = 0xff  // type 1's name offset
        #expect(throws: BTFError.badStringOffset(typeID: 1, offset: 0xffff)) { try BTF(bytes: badName) }
        var truncatedTypes = good
        truncatedTypes[12] &+= 4  // type_len four bytes longer than the types: the last record is cut
        #expect(throws: BTFError.self) { try BTF(bytes: truncatedTypes) }

        let dangling = try BTFWriter.encode([.void, BTFType(kind: .typedef, name: "t", body: .reference(7))])
        #expect(throws: BTFError.badTypeID(typeID: 7, referencedBy: 1)) { try BTF(bytes: dangling) }

        let cyclic = try BTF(bytes: BTFWriter.encode([
            .void,
            BTFType(kind: .typedef, name: "a", body: .reference(2)),
            BTFType(kind: .const, body: .reference(1)),
            BTFType(kind: .array, body: .array(element: 3, index: 0, count: 2)),
        ]))
        #expect(throws: BTFError.cyclicType(typeID: 1)) { try cyclic.resolve(1) }
        #expect(throws: BTFError.cyclicType(typeID: 1)) { try cyclic.size(of: 1) }
        #expect(throws: BTFError.cyclicType(typeID: 3)) { try cyclic.size(of: 3) }
        #expect(throws: BTFError.self) { try BTFWriter.encode([.void, BTFType(kind: .pointer, body: .float(size: 4))]) }
    }

    @Test("the kernel's vmlinux BTF parses; lookups work; parse time is reported",
          .enabled(if: FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux")))
    func vmlinux() throws {
        let bytes = try #require(FileManager.default.contents(atPath: "/sys/kernel/btf/vmlinux"))
        let clock = ContinuousClock()
        var parsed: BTF?
        let elapsed = try clock.measure { parsed = try BTF(bytes: [UInt8](bytes)) }
        let btf = try #require(parsed)
        print("vmlinux BTF: \(bytes.count) bytes, \(btf.typeCount - 1) types, parsed in \(elapsed) (debug build)")
        #expect(btf.typeCount > 10_000)
        let listHead = try #require(btf.typeID(named: "list_head", kind: .struct))
        #expect(try btf.size(of: listHead) == 16)
        #expect(try btf.member(named: "prev", of: listHead)?.offset == 8)
        let task = try #require(btf.typeID(named: "task_struct", kind: .struct))
        #expect(try btf.size(of: task) > 1000)
        // Struct_ops value types follow the bpf_struct_ops_<name> pattern with `data` after `common`.
        let tcp = try #require(btf.typeID(named: "bpf_struct_ops_tcp_congestion_ops", kind: .struct))
        let data = try #require(try btf.member(named: "data", of: tcp))
        #expect(btf.name(of: try btf.resolve(data.type)) == "tcp_congestion_ops")
        #expect(data.offset >= 8)
    }
}
