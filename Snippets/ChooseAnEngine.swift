// `ProgramRunner` runs a `Program` on the JIT (the default, x86-64) or the interpreter, with the same results and
// the same memory safety; where the JIT cannot run it interprets and says why.
import BPF
import BPFJIT

let program = try Program(Assembler.assemble("""
    mov %r0, 0
    mov %r2, 1
    loop:
    mov %r3, %r0
    add %r3, %r2
    mov %r0, %r2
    mov %r2, %r3
    sub %r1, 1
    jne %r1, 0, loop
    exit
    """))                                            // r1 = n: fibonacci(n) modulo 2^64
for engine in ExecutionEngine.allCases {
    let runner = ProgramRunner(program: program, engine: engine)
    let result = try runner.run(90)
    print("\(engine): fibonacci(90) = \(result), \(runner.instructionsExecuted) instructions"
        + (runner.fallbackReason.map { " (interpreted: \($0))" } ?? ""))
    // snippet.hide
    precondition(result == 2_880_067_194_370_816_120, "ChooseAnEngine: \(engine) gave \(result)")
    // snippet.show
}
