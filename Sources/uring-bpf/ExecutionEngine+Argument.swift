import ArgumentParser
import BPFJIT

/// `--engine jit|interpreter`: `--help` lists the values.
extension ExecutionEngine: ExpressibleByArgument {}
