/// Reads clang-built BPF object files (ELF, BTF, BTF.ext) without kernel calls.
public enum BPFObjectModule {}
