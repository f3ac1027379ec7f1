import BPF
import BPFObject
import Foundation
import Testing
import UringBPFExamples

@Suite("Example loop programs")
struct ExampleObjectTests {
    @Test("every example and test object parses")
    func everythingParses() throws {
        let all = Objects.allBytes
        #expect(Set(all.map(\.name)).isSuperset(of: ["nops_seq", "nops_qd", "read_open", "copy_file", "features"]))
        for (name, bytes) in all {
            let object = try ObjectFile(bytes: bytes)
            #expect(!object.programs.isEmpty || !object.functions.isEmpty, "\(name) has no programs")
            #expect(object.btf != nil, "\(name) has no BTF")
        }
    }

    @Test("examples are GPL-compatible sleepable struct_ops loop programs in a .struct_ops.link variable", arguments: ["nops_seq", "nops_qd", "read_open", "copy_file"])
    func loopProgramShape(name: String) throws {
        let object = try Objects.example(name)
        #expect(object.license.contains("GPL"))
        let step = try #require(object.program(named: "\(name)_step"))
        #expect(step.sectionName == "struct_ops.s/\(name)_step")
        #expect(step.isSleepable && step.isStructOps)

        let ops = try #require(object.structOps(named: "\(name)_ops"))
        #expect(ops.isLink && ops.sectionName == ".struct_ops.link")
        #expect(ops.typeName == "io_uring_bpf_ops")
        #expect(ops.program(for: "loop_step") == "\(name)_step")
        let ringFD = try #require(ops.members.first { $0.name == "ring_fd" })
        #expect(ringFD.offset == 8 && ringFD.size == 4 && !ringFD.isFunctionPointer)
        #expect(ops.data.count == 24)

        // Runner conventions: ring sizes in read-only data.
        let rodata = try #require(object.globalData(".rodata"))
        #expect(rodata.isReadOnly)
        #expect(object.map(named: ".rodata")?.flags.contains(.readOnlyProgram) == true)
        #expect(rodata.variable(named: "sq_entries")?.size == 4)
        #expect(rodata.variable(named: "cq_entries")?.size == 4)
        #expect(object.globalData(".bss")?.variable(named: "error") != nil)

        // Both kfuncs are strong function externs with BTF prototypes.
        for kfunc in ["bpf_io_uring_get_region", "bpf_io_uring_submit_sqes"] {
            let ext = try #require(object.extern(named: kfunc))
            #expect(ext.kind == .function && !ext.isWeak)
            let btf = try #require(object.btf)
            #expect(btf.kind(of: try #require(ext.prototypeID)) == .functionPrototype)
            #expect(step.relocations.contains { $0.target == .kfunc(kfunc) })
        }
    }

    @Test("nops_qd: variable offsets and initial values come from the ELF symbols")
    func nopsQDGlobals() throws {
        let object = try Objects.example("nops_qd")
        let data = try #require(object.globalData(".data"))
        let nrNops = try #require(data.variable(named: "nr_nops"))
        let queueDepth = try #require(data.variable(named: "queue_depth"))
        let symbol = try #require(object.elf.symbols.first { $0.name == "queue_depth" })
        #expect(queueDepth.offset == Int(symbol.value))
        #expect(nrNops.offset != queueDepth.offset)
        func u32(_ v: GlobalVariable) -> UInt32 {
            (0..<4).reduce(0) { $0 | UInt32(data.initialBytes[v.offset + $1]) << (8 * UInt32($1)) }
        }
        #expect(u32(nrNops) == 1000)
        #expect(u32(queueDepth) == 8)
        let rodata = try #require(object.globalData(".rodata"))
        let sq = try #require(rodata.variable(named: "sq_entries"))
        #expect(rodata.initialBytes[sq.offset] == 32)
        #expect(try #require(object.btf).typeDescription(sq.typeID) == "const volatile __u32")
    }

    @Test("instructions map to their source lines")
    func sourceLines() throws {
        let object = try Objects.example("nops_seq")
        let step = try #require(object.program(named: "nops_seq_step"))
        let submit = try #require(step.relocations.first { $0.target == .kfunc("bpf_io_uring_submit_sqes") })
        let location = try #require(step.sourceLocation(at: submit.instruction))
        #expect(location.file.hasSuffix("nops_seq.bpf.c"))
        #expect(location.line == (try Objects.line(of: "ret = bpf_io_uring_submit_sqes(ctx, 1);", inSourceOf: "nops_seq")))
        #expect(location.source.contains("bpf_io_uring_submit_sqes"))
        #expect(location.column > 0)
        // Instruction 0 is attributed to the program's own definition line.
        let first = try #require(step.sourceLocation(at: 0))
        #expect(first.line == (try Objects.line(of: "URING_BPF_LOOP_STEP(nops_seq_step", inSourceOf: "nops_seq")))
    }

    @Test("copy_file: the .text subprogram is appended and the call points at it")
    func subprogramLinking() throws {
        let object = try Objects.example("copy_file")
        let step = try #require(object.program(named: "copy_file_step"))
        #expect(step.functions.map(\.name) == ["copy_file_step", "next_request"])
        let start = step.functions[1].instruction
        let callee = try #require(object.elf.symbols.first { $0.name == "next_request" })
        #expect(step.instructions.count == start + Int(callee.size / 8))
        let call = try #require(step.relocations.first { $0.target == .subprogram(start) })
        let insn = step.instructions[call.instruction]
        #expect(insn.isLocalCall)
        #expect(call.instruction + Int(insn.imm) + 1 == start)
        // func_info: one record per function, at its start; line info continues into the subprogram.
        #expect(step.functionInfo.map(\.instruction) == [0, start])
        let btf = try #require(object.btf)
        #expect(btf.name(of: step.functionInfo[1].typeID) == "next_request")
        #expect(step.lineInfo.contains { $0.instruction == start })
        #expect(step.sourceLocation(at: start)?.line == (try Objects.line(of: "static __noinline int next_request(", inSourceOf: "copy_file")))
        // Globals the subprogram touches are relocated in the appended copy too.
        #expect(step.relocations.contains { $0.instruction > start && $0.target == .globalData(section: ".bss", offset: try! #require(object.globalData(".bss")?.variable(named: "reads")?.offset)) })
    }

    @Test("func_info and line_info in the kernel's record format, valid against kernelBTF()")
    func kernelInfoRecords() throws {
        let object = try Objects.example("copy_file")
        let step = try #require(object.program(named: "copy_file_step"))
        #expect(object.functionInfoRecordSize == 8 && object.lineInfoRecordSize == 16)
        let funcs = step.functionInfoBytes, lines = step.lineInfoBytes
        #expect(funcs.count == 8 * step.functionInfo.count && lines.count == 16 * step.lineInfo.count)
        func u32(_ b: [UInt8], _ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * UInt32($1)) } }
        #expect(u32(funcs, 8) == UInt32(step.functions[1].instruction))
        let kernel = try BTF(bytes: object.kernelBTF())
        #expect(kernel.name(of: u32(funcs, 12)) == "next_request")
        for i in 0..<step.lineInfo.count {
            #expect(kernel.string(at: u32(lines, 16 * i + 4)) == step.lineInfo[i].file)
            #expect(kernel.string(at: u32(lines, 16 * i + 8)) == step.lineInfo[i].source)
        }
    }

    @Test("the embedded objects name their files as the program does, never by a build-machine path")
    func noBuildPaths() throws {
        let root = Array(Objects.packageRoot.path.utf8)
        for example in UringBPFExamples.all {
            let bytes = example.bytes
            let found = (0...(bytes.count - root.count)).contains { bytes[$0..<($0 + root.count)].elementsEqual(root) }
            #expect(!found, "\(example.name) contains \(Objects.packageRoot.path)")
            // The program's file by name, the header by its path relative to the program's directory.
            let object = try ObjectFile(bytes: bytes)
            let files = Set((object.programs + object.functions).flatMap { $0.lineInfo.map(\.file) })
            #expect(files.contains(example.sourceFile))
            #expect(files.allSatisfy { $0 == example.sourceFile || $0 == "../../Examples/include/uring_bpf.h" },
                    "\(example.name): \(files)")
        }
    }
}
