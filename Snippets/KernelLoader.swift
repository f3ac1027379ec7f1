// `BPFKernel` on its own: the kernel's BTF, a map created with `bpf()`, and a loop program loaded, attached to a
// ring and run by the kernel (Linux 7.1+; on an older kernel `load()` says what is missing before it creates
// anything, and this snippet prints that and stops there).
import BPFKernel
import BPFObject
import Uring

let kernel = try KernelBTF.current()
print("\(kernel.source): io_uring_bpf_ops \(kernel.hasIoUringBPFOps ? "present" : "absent")")

// A map of our own: created, updated and read through bpf(2).
let counters = try BPFMap(BPFMapSpec(type: .array, keySize: 4, valueSize: 8, maxEntries: 4, name: "counters"))
try counters.update(key: UInt32(2), value: UInt64(42))
print("counters[2] = \(try counters.lookup(key: UInt32(2), as: UInt64.self) ?? 0)")

// snippet.loader
// A loop program: globals staged before load (.rodata too), then loaded (the kernel's verifier checks it).
var loader = KernelObjectLoader(try ObjectFile(contentsOf: "nops_seq.bpf.o"), name: "nops_seq")
try loader.setGlobal("sq_entries", to: UInt32(16))
try loader.setGlobal("cq_entries", to: UInt32(32))
try loader.setGlobal("nr_nops", to: UInt32(100))
do {
    let loaded = try loader.load()
    let ring = try IoUring(entries: 16, flags: [.singleIssuer, .deferTaskrun, .noSQArray, .sqRewind], cqEntries: 32)
    let attachment = try loaded.attach(ringFD: ring.fd)              // the ring's io_uring_enter now runs the loop
    _ = try ring.enter(toSubmit: 0, minComplete: 0, flags: .getEvents)
    let completed = try loaded.global("nops_completed", as: UInt32.self)
    print("the kernel ran nops_seq: \(completed) NOPs")
    // snippet.hide
    precondition(completed == 100, "KernelLoader: \(completed) NOPs")
    // snippet.show
    _ = attachment                                                   // detached when it goes away
} catch let error as BPFLoaderError where error.kind == .unsupportedKernel {
    print("not loaded: \(error)")                                   // e.g. no io_uring_bpf_ops before Linux 7.1
}
// snippet.end
// snippet.hide
let stored = try counters.lookup(key: UInt32(2), as: UInt64.self)
precondition(stored == 42, "KernelLoader: counters[2] = \(String(describing: stored))")
