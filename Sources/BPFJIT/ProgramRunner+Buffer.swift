import BPF

extension ProgramRunner {
    /// Runs the program over `buffer`: grants it for the run (read-write), calls with r1 = its address and r2 = its
    /// length, and returns r0, as ``/BPF/Interpreter/run(memory:)`` does.
    public func run(memory buffer: UnsafeMutableRawBufferPointer) throws(RuntimeError) -> UInt64 {
        try memory.withGrant(buffer) { () throws(RuntimeError) in
            try run(UInt64(UInt(bitPattern: buffer.baseAddress)), UInt64(buffer.count))
        }
    }
}
