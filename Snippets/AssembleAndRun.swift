// The `BPF` engine on its own: assemble (uBPF syntax), validate, disassemble and interpret a program over a buffer
// the host grants it; an access outside its memory is a `RuntimeError`, never a read of host memory.
import BPF

// r1 = buffer, r2 = length: the sum of the buffer's bytes.
let instructions = try Assembler.assemble("""
    mov %r0, 0
    mov %r3, %r1
    add %r3, %r2
    loop:
    jge %r1, %r3, done
    ldxb %r4, [%r1]
    add %r0, %r4
    add %r1, 1
    ja loop
    done:
    exit
    """)
let program = try Program(instructions)             // validated: jumps, registers, opcodes
print(Disassembler().listing(program.instructions))

let interpreter = Interpreter(program: program)
let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 100, alignment: 8)
defer { buffer.deallocate() }
for i in 0..<buffer.count { buffer[i] = UInt8(i) }
let sum = try interpreter.run(memory: buffer)       // r1 = buffer, r2 = 100: granted for this run only
print("sum \(sum) in \(interpreter.instructionsExecuted) instructions")

// The same program told the buffer is longer than it is: the first byte past it stops the run.
do {
    _ = try interpreter.memory.withGrant(buffer) { () throws(RuntimeError) in
        try interpreter.run(UInt64(UInt(bitPattern: buffer.baseAddress)), 101)
    }
} catch {
    print(error)                                    // runtime error at instruction 4: out-of-bounds load ...
}
// snippet.hide
precondition(sum == 4950, "AssembleAndRun: sum \(sum)")
