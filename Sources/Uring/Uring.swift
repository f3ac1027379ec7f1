/// A pure-Swift io_uring: rings, opcodes, registration and probing.
public enum UringModule {}
