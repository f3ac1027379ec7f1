import BPFObject

/// Whether the running kernel can run loop programs itself (Linux 7.1+ with `io_uring_bpf_ops`).
public enum KernelLoopSupport {
    /// The answer and the reason, e.g. `(false, "this kernel has no io_uring_bpf_ops (needs Linux 7.1+)")`.
    public static func probe(btfPath: String = "/sys/kernel/btf/vmlinux") -> (available: Bool, reason: String) {
        guard let btf = try? BTF(contentsOf: btfPath) else {
            return (false, "cannot read \(btfPath): the kernel has no BTF (CONFIG_DEBUG_INFO_BTF), so no io_uring_bpf_ops")
        }
        guard btf.typeID(named: "io_uring_bpf_ops", kind: .struct) != nil else {
            return (false, "this kernel has no io_uring_bpf_ops (needs Linux 7.1+)")
        }
        guard btf.typeID(named: "bpf_io_uring_submit_sqes", kind: .function) != nil else {
            return (false, "this kernel has io_uring_bpf_ops but not the kfunc bpf_io_uring_submit_sqes")
        }
        return (true, "the kernel has io_uring_bpf_ops (\(btfPath))")
    }
}
