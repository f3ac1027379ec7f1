import BPF
import BPFObject
import Testing

/// Facts about Programs/features.bpf.c, a test-only object covering maps,
/// every global-data flavour, shared subprograms, callbacks, weak externs,
/// a non-link struct_ops variable and the rarer BTF kinds.
@Suite("features.bpf.o")
struct FeaturesObjectTests {
    let object: ObjectFile
    init() throws { object = try Objects.testProgram("features") }

    @Test("programs: names, sections, sleepable flag; other section names are kept")
    func programs() throws {
        #expect(object.programs.map(\.name).sorted() == ["classify", "first_step", "second_step"])
        let first = try #require(object.program(named: "first_step"))
        #expect(first.sectionName == "struct_ops/first_step" && first.isStructOps && !first.isSleepable)
        let second = try #require(object.program(named: "second_step"))
        #expect(second.sectionName == "struct_ops.s/second_step" && second.isStructOps && second.isSleepable)
        let classify = try #require(object.program(named: "classify"))
        #expect(classify.sectionName == "tc/ingress" && !classify.isStructOps && !classify.isSleepable)
        #expect(classify.functions.count == 1)
    }

    @Test("subprograms are appended to every caller, transitively, once each")
    func sharedSubprograms() throws {
        for name in ["first_step", "second_step"] {
            let program = try #require(object.program(named: name))
            let names = program.functions.map(\.name)
            #expect(names.first == name)
            #expect(names.filter { $0 == "bump" }.count == 1 && names.contains("add_twice"))
            #expect(program.functionInfo.count == program.functions.count)
            for (reloc, insn) in program.relocations.map({ ($0, program.instructions[$0.instruction]) }) {
                if case let .subprogram(target) = reloc.target {
                    #expect(insn.isLocalCall && reloc.instruction + Int(insn.imm) + 1 == target)
                    #expect(program.functions.contains { $0.instruction == target })
                }
            }
        }
    }

    @Test("a callback's address is linked as BPF_PSEUDO_FUNC")
    func callbackAddress() throws {
        let second = try #require(object.program(named: "second_step"))
        let loopBody = try #require(second.functions.first { $0.name == "loop_body" })
        let reloc = try #require(second.relocations.first { $0.target == .functionAddress(loopBody.instruction) })
        let insn = second.instructions[reloc.instruction]
        #expect(insn.isLoadImmediate64 && insn.src == PseudoLoadKind.function.rawValue)
        #expect(reloc.instruction + Int(insn.imm) + 1 == loopBody.instruction)
    }

    @Test("BTF-defined maps: array, hash, percpu_array, ringbuf")
    func maps() throws {
        let btf = try #require(object.btf)
        let pairs = try #require(object.map(named: "pairs"))
        #expect(pairs.type == .array && pairs.keySize == 4 && pairs.valueSize == 16 && pairs.maxEntries == 16)
        #expect(btf.name(of: pairs.valueTypeID) == "pair")
        let counts = try #require(object.map(named: "counts"))
        #expect(counts.type == .hash && counts.keySize == 8 && counts.valueSize == 4 && counts.maxEntries == 128)
        #expect(counts.flags == .noPreallocation && counts.keyTypeID == 0)
        let scratch = try #require(object.map(named: "scratch"))
        #expect(scratch.type == .perCPUArray && scratch.valueSize == 8)
        let events = try #require(object.map(named: "events"))
        #expect(events.type == .ringBuffer && events.maxEntries == 4096 && events.globalData == nil)
        let second = try #require(object.program(named: "second_step"))
        #expect(second.relocations.contains { $0.target == .map("scratch") })
        #expect(second.relocations.contains { $0.target == .map("counts") })
    }

    @Test("global data: sections as array maps with variables, offsets and initial bytes")
    func globals() throws {
        let rodata = try #require(object.globalData(".rodata"))
        #expect(rodata.isReadOnly)
        #expect(rodata.variable(named: "limit").map { rodata.initialBytes[$0.offset] } == 7)
        let greeting = try #require(rodata.variable(named: "greeting"))
        #expect(Array(rodata.initialBytes[greeting.offset..<(greeting.offset + 6)]) == Array("hello\0".utf8))

        let custom = try #require(object.globalData(".data.custom"))
        #expect(!custom.isReadOnly && custom.variables.map(\.name) == ["custom_value"])
        #expect(custom.initialBytes == [42, 0, 0, 0])

        let bss = try #require(object.map(named: ".bss"))
        #expect(bss.type == .array && bss.keySize == 4 && bss.maxEntries == 1)
        #expect(bss.globalData?.initialBytes.allSatisfy { $0 == 0 } == true)
        let hidden = try #require(bss.globalData?.variable(named: "hidden_state"))
        #expect(hidden.isStatic)
        #expect(bss.globalData?.variable(named: "zeroed")?.isStatic == false)
        #expect(bss.flags.contains(.mmapable))

        // A static variable is reached through the section symbol plus the offset in the instruction.
        let first = try #require(object.program(named: "first_step"))
        #expect(first.relocations.contains { $0.target == .globalData(section: ".bss", offset: hidden.offset) })
        #expect(first.relocations.contains { $0.target == .globalData(section: ".data.custom", offset: 0) })
    }

    @Test("externs: weak and strong kfuncs; bpf_ksym_exists becomes a ksym address load")
    func externs() throws {
        let weak = try #require(object.extern(named: "bpf_missing_kfunc"))
        #expect(weak.kind == .function && weak.isWeak)
        let strong = try #require(object.extern(named: "bpf_io_uring_submit_sqes"))
        #expect(strong.kind == .function && !strong.isWeak)
        let btf = try #require(object.btf)
        #expect(btf.typeDescription(try #require(weak.prototypeID)) == "int (__u32)")
        let second = try #require(object.program(named: "second_step"))
        #expect(second.relocations.contains { $0.target == .ksym("bpf_missing_kfunc") })
        #expect(second.relocations.contains { $0.target == .kfunc("bpf_missing_kfunc") })
    }

    @Test("a plain .struct_ops variable: not a link, members to programs, data bytes")
    func structOps() throws {
        let ops = try #require(object.structOps(named: "plain_ops"))
        #expect(!ops.isLink && ops.sectionName == ".struct_ops" && ops.typeName == "test_ops")
        #expect(ops.program(for: "first") == "first_step")
        #expect(ops.program(for: "second") == "second_step")
        let value = try #require(ops.members.first { $0.name == "value" })
        #expect(value.offset == 16 && !value.isFunctionPointer)
        #expect(Array(ops.data[16..<20]) == [77, 0, 0, 0])
        let tag = try #require(ops.members.first { $0.name == "tag" })
        #expect(Array(ops.data[tag.offset..<(tag.offset + 8)]) == [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
    }

    @Test("BTF has ENUM64, FLOAT, DECL_TAG and TYPE_TAG, decoded")
    func rareKinds() throws {
        let btf = try #require(object.btf)
        let enumID = try #require(btf.typeID(named: "big_values", kind: .enum64))
        guard case .enumerators(8, let values) = try btf.type(enumID).body else { Issue.record("not an enum"); return }
        #expect(values.map(\.value) == [1 << 40, (1 << 40) + 2])
        #expect(btf.typeID(named: "double", kind: .float) != nil)
        let tagID = try #require(btf.typeID(named: "test_tag", kind: .declTag))
        guard case .declTag(let tagged, -1) = try btf.type(tagID).body else { Issue.record("not a decl tag"); return }
        #expect(btf.name(of: tagged) == "tagged")
        #expect(btf.typeID(named: "user", kind: .typeTag) != nil)
    }
}
