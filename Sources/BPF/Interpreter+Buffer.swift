extension MemoryMap {
    /// Grants `buffer` (read-write) while `body` runs, then revokes it.
    public func withGrant<R, E: Error>(
        _ buffer: UnsafeMutableRawBufferPointer, name: String = "buffer", _ body: () throws(E) -> R
    ) throws(E) -> R {
        let grant = buffer.isEmpty ? nil : grant(MemoryRegion(name: name, buffer: buffer))
        defer { if let grant { _ = revoke(grant) } }
        return try body()
    }
}

extension Interpreter {
    /// Runs the program over `buffer`: grants it for the run (read-write), calls with r1 = its address and r2 = its
    /// length, and returns r0. Cheap enough to call in a timing loop.
    public func run(memory buffer: UnsafeMutableRawBufferPointer) throws(RuntimeError) -> UInt64 {
        try memory.withGrant(buffer) { () throws(RuntimeError) in
            try run(UInt64(UInt(bitPattern: buffer.baseAddress)), UInt64(buffer.count))
        }
    }
}
