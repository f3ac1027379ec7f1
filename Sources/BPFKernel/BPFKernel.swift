/// Loads BPF objects into the kernel through bpf(2).
public enum BPFKernelModule {}
