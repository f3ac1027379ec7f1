// A `loop_step` written in Swift: the same powers and semantics as a BPF one (regions, submit, `cq_wait_idx`,
// CONTINUE or STOP), always in user mode. This one runs 100 NOPs, one in flight at a time, as `nops_seq.bpf.c` does.
import UringBPF

let options = LoopOptions()                     // 16 SQ / 32 CQ entries
var submitted = 0, completed = 0
let loop = try UringLoop(options: options) { context in
    // The regions as a BPF program sees them: SQEs (SQ_REWIND: always from index 0), rings header + CQEs.
    guard let sq = context.region(.sq, size: 64 * Int(options.sqEntries)),
          let cq = context.region(.cq, size: 64 + 16 * Int(options.cqEntries)) else { return .stop }
    var head = cq.load(fromByteOffset: 8, as: UInt32.self)          // CQ head at byte 8, CQ tail at 12
    if head != cq.load(fromByteOffset: 12, as: UInt32.self) {
        head &+= 1                                                  // consume the NOP's CQE
        cq.storeBytes(of: head, toByteOffset: 8, as: UInt32.self)
        completed += 1
    }
    if completed == 100 { return .stop }
    if submitted == completed {
        sq.initializeMemory(as: UInt8.self, repeating: 0)           // SQE 0: a NOP (opcode 0)
        guard context.submit(1) == 1 else { return .stop }
        submitted += 1
    }
    context.cqWaitIndex = head &+ 1                                 // sleep until the NOP completes
    return .continue
}
let statistics = try loop.run()
print("\(completed) NOPs in \(loop.mode) mode: \(statistics)")
// snippet.hide
precondition(completed == 100 && statistics.cqesProduced == 100, "SwiftLoopStep: \(completed) NOPs, \(statistics)")
