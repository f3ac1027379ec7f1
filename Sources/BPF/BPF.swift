/// The eBPF engine: instruction set, assembler, disassembler and interpreter.
public enum BPFModule {}
