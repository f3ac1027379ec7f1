// Reads clang-built objects with no kernel calls: programs, struct_ops, global variables. A plain function of an
// object becomes a runnable program with its global data, here run by the interpreter over a buffer.
import BPF
import BPFObject

// snippet.read
let object = try ObjectFile(contentsOf: "nops_qd.bpf.o")
let step = object.program(named: "nops_qd_step")!
print(step.sectionName, step.isSleepable, step.instructions.count)  // struct_ops.s/nops_qd_step true ...
print(object.structOps[0].program(for: "loop_step")!)               // nops_qd_step
for variable in object.globalData(".bss")?.variables ?? [] {
    print(".bss \(variable.name): \(variable.size) bytes at \(variable.offset)")
}
// snippet.end

// snippet.function
// checksum.bpf.c: a function, not a loop program. Run it over a buffer with its .rodata and .bss.
let checksumObject = try ObjectFile(contentsOf: "checksum.bpf.o")
let executable = try ExecutableProgram(checksumObject.function(named: "checksum")!, of: checksumObject)
let interpreter = Interpreter(program: executable.program, memory: executable.memory)
let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 15, alignment: 8)
defer { buffer.deallocate() }
buffer.copyBytes(from: "hello, checksum".utf8)
let checksum = try interpreter.run(memory: buffer)                  // r1 = buffer, r2 = its length
print("checksum 0x\(String(checksum, radix: 16))")
// snippet.end
// snippet.hide
precondition(step.isSleepable && object.structOps[0].program(for: "loop_step") == "nops_qd_step" && checksum != 0,
             "ObjectFileTour")
