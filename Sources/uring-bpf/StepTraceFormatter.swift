import SystemPackage
import Uring
import UringBPF

/// `--trace` output: one block per loop step.
enum StepTraceFormatter {
    static func format(_ t: LoopStepTrace) -> String {
        var lines = ["step \(t.step):"]
        for cqe in t.consumed {
            lines.append("  reaped    user_data=0x\(String(cqe.userData, radix: 16)) res=\(describe(result: cqe.result)) flags=0x\(String(cqe.rawFlags, radix: 16))")
        }
        for (entries, result) in t.submissions {
            for sqe in entries { lines.append("  sqe       " + describe(sqe)) }
            lines.append("  submit(\(entries.count)) -> \(describe(result: result))")
        }
        for refusal in t.refusals {
            lines.append("  refused   SQE \(refusal.index) \(refusal.opcode) \(refusal.field)=0x\(String(refusal.address, radix: 16)): "
                + "\(refusal.reason) -> \(describe(result: refusal.result))")
        }
        for line in t.printk { lines.append("  printk    \(line)") }
        let verdict = switch LoopStepResult(rawValue: t.returnValue) {
        case .continue: "CONTINUE"
        case .stop: "STOP"
        case .other(let v): "\(v) (invalid)"
        }
        lines.append("  return \(verdict), cq_wait_idx=\(t.cqWaitIndex), cq tail=\(t.cqTail)")
        return lines.joined(separator: "\n")
    }

    static func describe(result: Int32) -> String {
        // Any value can be in a CQE a program wrote: only -4095...-1 are errnos (and -Int32.min would trap).
        result < 0 && result >= -4095 ? "\(result) (\(Errno(rawValue: -result).symbolicName))" : "\(result)"
    }

    static func describe(_ sqe: SubmissionQueueEntry) -> String {
        var fields = ["\(Opcode(rawValue: sqe.opcode))"]
        if sqe.fd != 0 || sqe.opcode != 0 { fields.append("fd=\(sqe.fd)") }
        if sqe.addr != 0 { fields.append("addr=0x\(String(sqe.addr, radix: 16))") }
        if sqe.len != 0 { fields.append("len=\(sqe.len)") }
        if sqe.off != 0 { fields.append("off=\(sqe.off)") }
        if sqe.opFlags != 0 { fields.append("op_flags=0x\(String(sqe.opFlags, radix: 16))") }
        if sqe.flags != 0 { fields.append("flags=\(SubmissionFlags(rawValue: sqe.flags))") }
        fields.append("user_data=0x\(String(sqe.userData, radix: 16))")
        return fields.joined(separator: " ")
    }
}
