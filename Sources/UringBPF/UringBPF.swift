/// The BPF-controlled io_uring loop, in kernel and userspace modes.
public enum UringBPFModule {}
