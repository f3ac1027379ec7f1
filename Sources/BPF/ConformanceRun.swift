/// The execution contract of the bpf_conformance suite (https://github.com/Alan-Jowett/bpf_conformance), in one place
/// for the conformance plugin and the tests: r1 = a mutable copy of the test's memory (0 if it has none), r2 = its
/// length, division by an immediate zero allowed (the ISA defines the result), and helper 5 "unwind" as in uBPF's
/// plugin (returns r1; a zero result stops the program with r0 = 0).
package enum ConformanceRun {
    /// Validates `program` under the suite's rules, or throws the validation error.
    package static func load(_ instructions: [Instruction]) throws(ValidationError) -> Program {
        try Program(instructions, validator: Validator(allowsDivisionByImmediateZero: true))
    }

    /// The host functions the suite's programs may call (helper 5, "unwind").
    package static var functions: HostFunctions {
        var functions = HostFunctions()
        functions.registerHelper(id: 5, name: "unwind") { call in
            if call.r1 == 0 { call.stopRun() }
            return call.r1
        }
        return functions
    }

    /// Runs `program` with `memory` in the interpreter, as the suite's runner does, and returns r0.
    package static func run(_ program: Program, memory: [UInt8]) throws(RuntimeError) -> UInt64 {
        try run(memory: memory) { map, r1, r2 throws(RuntimeError) in
            try Interpreter(program: program, functions: functions, memory: map).run(r1, r2)
        }
    }

    /// Sets up the suite's memory for any engine: `body` gets a map granting a mutable copy of `memory`
    /// (read-write, named "mem"; empty if `memory` is) and the r1 and r2 to run with, and returns r0.
    package static func run(
        memory: [UInt8], _ body: (MemoryMap, _ r1: UInt64, _ r2: UInt64) throws(RuntimeError) -> UInt64
    ) throws(RuntimeError) -> UInt64 {
        let map = MemoryMap()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(memory.count, 1), alignment: 16)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: memory)
        var r1: UInt64 = 0
        if !memory.isEmpty {
            let region = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<memory.count])
            map.grant(MemoryRegion(name: "mem", buffer: region, permissions: .readWrite))
            r1 = UInt64(UInt(bitPattern: buffer.baseAddress))
        }
        return try body(map, r1, UInt64(memory.count))
    }
}
