/// The execution contract of the bpf_conformance suite (`../shared/docs/bpf-conformance.md`), in one place for
/// the conformance plugin and the tests: r1 = a mutable copy of the test's memory (0 if it has none), r2 = its
/// length, division by an immediate zero allowed (the ISA defines the result), and helper 5 "unwind" as in uBPF's
/// plugin (returns r1; a zero result stops the program with r0 = 0).
public enum ConformanceRun {
    /// Validates `program` under the suite's rules, or throws the validation error.
    public static func load(_ instructions: [Instruction]) throws(ValidationError) -> Program {
        try Program(instructions, validator: Validator(allowsDivisionByImmediateZero: true))
    }

    /// Runs `program` with `memory` as the suite's runner does and returns r0.
    public static func run(_ program: Program, memory: [UInt8]) throws(RuntimeError) -> UInt64 {
        var functions = HostFunctions()
        functions.registerHelper(id: 5, name: "unwind") { call in
            if call.r1 == 0 { call.stopRun() }
            return call.r1
        }
        let interpreter = Interpreter(program: program, functions: functions)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(memory.count, 1), alignment: 16)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: memory)
        var r1: UInt64 = 0
        if !memory.isEmpty {
            let region = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<memory.count])
            interpreter.memory.grant(MemoryRegion(name: "mem", buffer: region, permissions: .readWrite))
            r1 = UInt64(UInt(bitPattern: buffer.baseAddress))
        }
        return try interpreter.run(r1, UInt64(memory.count))
    }
}
