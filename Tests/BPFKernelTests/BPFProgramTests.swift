import BPFKernel
import SystemPackage
import Testing

@Suite("bpf() programs", .enabled(if: runningAsRoot, "bpf() needs root"))
struct BPFProgramTests {
    @Test("a hand-encoded socket filter (r0 = 0; exit) loads")
    func loadSocketFilter() throws {
        let program = try BPFProgram(
            BPFProgramSpec(type: .socketFilter, instructions: movR0(0) + exitInstruction, name: "drop_all"))
        #expect(program.log.isEmpty)
        let info = try program.info()
        #expect(info.type == .socketFilter)
        #expect(info.name == "drop_all")
        #expect(info.gplCompatible)
        #expect(info.id != 0)
    }

    @Test("a verifier rejection carries the verifier log")
    func verifierRejects() throws {
        // `exit` without setting r0: the verifier refuses to return an uninitialised register.
        let error = #expect(throws: BPFError.self) {
            _ = try BPFProgram(BPFProgramSpec(type: .socketFilter, instructions: exitInstruction, name: "bad_exit"))
        }
        #expect(error?.command == .programLoad)
        #expect(error?.errno == .permissionDenied)
        #expect(error?.log?.contains("R0 !read_ok") == true)
        #expect(error?.description.contains("R0 !read_ok") == true)
        #expect(error?.description.contains("EACCES") == true)
    }

    @Test("a log asked for on success is grown past a small initial buffer")
    func logGrows() throws {
        // 600 moves at log level 2 write far more than 4 KiB of verifier state.
        let body = (0..<600).flatMap { movR0(Int32($0)) }
        let program = try BPFProgram(
            BPFProgramSpec(
                type: .socketFilter, instructions: body + movR0(0) + exitInstruction, name: "chatty", logLevel: 2,
                logSize: 4096))
        #expect(program.log.utf8.count > 4096)
        #expect(program.log.contains("processed 602 insns"))
    }

    @Test("instructions that are not whole 8-byte units are refused")
    func partialInstruction() {
        let error = #expect(throws: BPFError.self) {
            _ = try BPFProgram(BPFProgramSpec(type: .socketFilter, instructions: [0x95, 0, 0]))
        }
        #expect(error?.errno == .invalidArgument)
    }

    @Test("program BTF with func_info and line_info: accepted, and a rejection shows the source line")
    func btfLineInfo() throws {
        let btf = try BTFHandle(loading: ProgramBTF.blob)
        let program = try BPFProgram(
            BPFProgramSpec(
                type: .socketFilter, instructions: movR0(0) + exitInstruction, name: "with_btf", btf: btf.descriptor,
                funcInfo: ProgramBTF.funcInfo,
                lineInfo: ProgramBTF.lineInfo([(0, ProgramBTF.returnZero, 7), (1, ProgramBTF.returnZero, 7)]),
                logLevel: 2))
        #expect(program.log.contains("return 0; @ test.c:7"))
        let info = try program.info()
        #expect(info.btfID == (try btf.info().id))

        let error = #expect(throws: BPFError.self) {
            _ = try BPFProgram(
                BPFProgramSpec(
                    type: .socketFilter, instructions: exitInstruction, name: "bad_with_btf", btf: btf.descriptor,
                    funcInfo: ProgramBTF.funcInfo,
                    lineInfo: ProgramBTF.lineInfo([(0, ProgramBTF.returnUnset, 9)])))
        }
        #expect(error?.log?.contains("return r0; /* never set */ @ test.c:9") == true)
        #expect(error?.log?.contains("R0 !read_ok") == true)
    }
}
