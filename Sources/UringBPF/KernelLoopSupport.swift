import BPFKernel

/// Whether the running kernel can run loop programs itself (Linux 7.1+ with `io_uring_bpf_ops`).
public enum KernelLoopSupport {
    /// The answer and the reason, e.g. `(false, "this kernel has no io_uring_bpf_ops (needs Linux 7.1+)")`.
    /// The kernel's BTF is read and parsed once per process (``/BPFKernel/KernelBTF/current()``).
    public static func probe() -> (available: Bool, reason: String) {
        let kernel: KernelBTF
        do {
            kernel = try KernelBTF.current()
        } catch {
            return (false, "\(error.message), so it has no io_uring_bpf_ops")
        }
        guard kernel.hasIoUringBPFOps else {
            return (false, "this kernel has no io_uring_bpf_ops (needs Linux 7.1+)")
        }
        guard (try? kernel.kfunc(named: "bpf_io_uring_submit_sqes")) != nil else {
            return (false, "this kernel has io_uring_bpf_ops but not the kfunc bpf_io_uring_submit_sqes")
        }
        return (true, "the kernel has io_uring_bpf_ops (\(kernel.source))")
    }
}
