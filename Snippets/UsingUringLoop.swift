// Runs a clang-built loop program, `nops_seq.bpf.o`, in auto mode: in the kernel where it has `io_uring_bpf_ops`
// (Linux 7.1+), in user mode everywhere else; then reads a global variable the program left its result in.
import BPFObject
import UringBPF

var options = LoopOptions()                     // auto mode, 16 SQ / 32 CQ entries
options.globals = [("nr_nops", .integer(1000))] // set before load (.rodata too)
options.timeout = .seconds(5)                   // a run that takes longer ends with .timedOut
let loop = try UringLoop(object: try ObjectFile(contentsOf: "nops_seq.bpf.o"), options: options)
let stats = try loop.run()                      // = one io_uring_enter; `try await loop.run()` in async code
print(stats, try loop.globals.value("nops_completed", as: UInt32.self))
// snippet.hide
// Scripts/docs/run-snippets runs this where nops_seq.bpf.o was just built; a wrong result fails it.
let completed = try loop.globals.value("nops_completed", as: UInt32.self)
let error = try loop.globals.value("error", as: Int32.self)
precondition(completed == 1000 && error == 0, "nops_seq: \(completed) NOPs completed, error \(error)")
print("mode: \(loop.mode)")
