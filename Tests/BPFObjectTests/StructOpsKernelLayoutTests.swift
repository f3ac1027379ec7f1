import BPFObject
import Foundation
import Testing

/// Matching an object's struct_ops variable against kernel BTF (the 7.x
/// fixture; the host kernel lacks io_uring_bpf_ops).
@Suite("struct_ops kernel layout")
struct StructOpsKernelLayoutTests {
    @Test("io_uring_bpf_ops on a 7.2-like kernel: value type, data offset, slot, ring_fd")
    func ioUring() throws {
        let object = try Objects.example("nops_qd")
        var ops = try #require(object.structOps(named: "nops_qd_ops"))
        // A loader sets ring_fd in the variable's data before building the value.
        let ringFD = try #require(ops.members.first { $0.name == "ring_fd" })
        ops.data.replaceSubrange(ringFD.offset..<(ringFD.offset + 4), with: [5, 0, 0, 0])
        let kernel = try BTF(bytes: IoUringBTFFixture.blob())
        let layout = try ops.kernelLayout(localBTF: try #require(object.btf), kernelBTF: kernel)
        #expect(layout.kernelTypeID == kernel.typeID(named: "io_uring_bpf_ops", kind: .struct))
        #expect(layout.valueTypeID == kernel.typeID(named: "bpf_struct_ops_io_uring_bpf_ops", kind: .struct))
        #expect(layout.valueSize == 128 && layout.dataOffset == 64)
        #expect(layout.slots == [.init(program: "nops_qd_step", member: "loop_step", memberIndex: 0, valueOffset: 64)])
        let value = layout.value(programFDs: ["nops_qd_step": 9])
        #expect(value.count == 128)
        #expect(Array(value[64..<72]) == [9, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(value[72..<76]) == [5, 0, 0, 0])
        var rest = value
        rest.replaceSubrange(64..<76, with: [UInt8](repeating: 0, count: 12))
        #expect(rest.allSatisfy { $0 == 0 }, "every other byte (common, priv, padding) must be zero")
    }

    @Test("a kernel without io_uring_bpf_ops is reported as unsupported",
          .enabled(if: FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux"), "no kernel BTF"),
          .enabled(if: (try? BTF(contentsOf: "/sys/kernel/btf/vmlinux"))?.typeID(named: "io_uring_bpf_ops", kind: .struct) == nil,
                   "this kernel has io_uring_bpf_ops"))
    func hostKernelLacksIoUringOps() throws {
        let host = try BTF(contentsOf: "/sys/kernel/btf/vmlinux")
        let object = try Objects.example("nops_seq")
        let ops = try #require(object.structOps.first)
        #expect {
            try ops.kernelLayout(localBTF: try #require(object.btf), kernelBTF: host)
        } throws: { error in
            guard case .badStructOps("nops_seq_ops", let reason) = error as? ObjectFileError else { return false }
            return reason.contains("no struct io_uring_bpf_ops")
        }
    }

    @Test("a data member the kernel lacks must be zero")
    func missingKernelMember() throws {
        let object = try Objects.testProgram("features")
        let ops = try #require(object.structOps(named: "plain_ops"))
        // A kernel whose test_ops has only `first`: `value` (77) cannot be placed.
        var types = IoUringBTFFixture.types
        let fnPtr = UInt32(9)  // int (*)(struct iou_ctx *, struct iou_loop_params *) in the fixture
        types.append(BTFType(kind: .struct, name: "test_ops", body: .members(size: 8, [BTFMember(name: "first", type: fnPtr, rawOffset: 0)])))
        let testOps = UInt32(types.count - 1)
        types.append(BTFType(kind: .struct, name: "bpf_struct_ops_test_ops", body: .members(size: 72, [
            BTFMember(name: "common", type: 12, rawOffset: 0), BTFMember(name: "data", type: testOps, rawOffset: 512)])))
        let kernel = try BTF(bytes: BTFWriter.encode(types))
        #expect {
            try ops.kernelLayout(localBTF: try #require(object.btf), kernelBTF: kernel)
        } throws: { error in
            guard case .badStructOps("plain_ops", let reason) = error as? ObjectFileError else { return false }
            return reason.contains("'second'") || reason.contains("'value'")
        }
    }
}

@Suite("kfunc resolution")
struct KfuncResolutionTests {
    @Test("the examples' kfuncs resolve to the 7.2 fixture's FUNC IDs")
    func resolves() throws {
        let kernel = try BTF(bytes: IoUringBTFFixture.blob())
        for name in ["nops_seq", "nops_qd", "read_open", "copy_file"] {
            let object = try Objects.example(name)
            let local = try #require(object.btf)
            #expect(try object.extern(named: "bpf_io_uring_submit_sqes")?.resolveKfunc(localBTF: local, kernelBTF: kernel) == 19)
            #expect(try object.extern(named: "bpf_io_uring_get_region")?.resolveKfunc(localBTF: local, kernelBTF: kernel) == 22)
        }
    }

    @Test("weak and missing → nil; strong and missing or incompatible → error")
    func missingAndIncompatible() throws {
        let kernel = try BTF(bytes: IoUringBTFFixture.blob())
        let features = try Objects.testProgram("features")
        let local = try #require(features.btf)
        #expect(try features.extern(named: "bpf_missing_kfunc")?.resolveKfunc(localBTF: local, kernelBTF: kernel) == nil)

        // A kernel whose bpf_io_uring_submit_sqes takes one argument fewer.
        var types = IoUringBTFFixture.types
        types[18] = BTFType(kind: .functionPrototype, body: .prototype(returnType: 1, parameters: [BTFParameter(name: "loop_ctx", type: 5)]))
        let other = try BTF(bytes: BTFWriter.encode(types))
        let submit = try #require(features.extern(named: "bpf_io_uring_submit_sqes"))
        #expect(throws: ObjectFileError.self) { try submit.resolveKfunc(localBTF: local, kernelBTF: other) }
        #expect(throws: ObjectFileError.missing(what: "kfunc bpf_io_uring_submit_sqes", reason: "not found in the kernel BTF")) {
            try submit.resolveKfunc(localBTF: local, kernelBTF: BTF(bytes: BTFWriter.encode([.void])))
        }
    }
}
