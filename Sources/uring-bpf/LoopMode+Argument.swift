import ArgumentParser
import UringBPF

/// `--mode kernel|user|auto`: `--help` lists the values.
extension LoopMode: ExpressibleByArgument {}
