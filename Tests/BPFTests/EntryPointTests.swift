import Testing
@testable import BPF

@Suite("Running a function other than the main one")
struct EntryPointTests {
    let source = """
        mov %r1, 5
        call local f
        exit
        f:
        mov %r0, %r1
        add %r0, 1
        exit
        """

    @Test func runsACalledFunctionDirectly() throws {
        let program = try Program(Assembler.assemble(source))
        let vm = Interpreter(program: program)
        #expect(try vm.run() == 6)
        #expect(try vm.run(entry: 3, 41) == 42)
    }

    @Test func refusesAnEntryInsideAFunction() throws {
        let vm = Interpreter(program: try Program(Assembler.assemble(source)))
        #expect {
            try vm.run(entry: 4)
        } throws: { error in
            guard let e = error as? RuntimeError, case .badEntry = e.reason else { return false }
            return e.index == 4
        }
    }
}
