extension Interpreter {
    /// Runs the program over `buffer`: grants it for the run (read-write), calls with r1 = its address and r2 = its
    /// length, and returns r0. Cheap enough to call in a timing loop.
    public func run(memory buffer: UnsafeMutableRawBufferPointer) throws(RuntimeError) -> UInt64 {
        let base = UInt64(UInt(bitPattern: buffer.baseAddress))
        let grant = buffer.isEmpty ? nil : memory.grant(MemoryRegion(name: "buffer", buffer: buffer))
        defer { if let grant { _ = memory.revoke(grant) } }
        return try run(base, UInt64(buffer.count))
    }
}
