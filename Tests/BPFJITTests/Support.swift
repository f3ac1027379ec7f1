import BPF
import BPFJIT
import Testing

/// A host-owned buffer for tests.
final class HostBuffer {
    let memory: UnsafeMutableRawBufferPointer
    init(_ size: Int) {
        memory = .allocate(byteCount: size, alignment: 16)
        memory.initializeMemory(as: UInt8.self, repeating: 0)
    }
    deinit { memory.deallocate() }
    var address: UInt64 { UInt64(UInt(bitPattern: memory.baseAddress)) }
}

struct TestFailure: Error, Equatable {
    var code: Int
}

/// A runner for `source` on `engine`; fails the test if that engine is not the one running (no silent fallback).
func runner(
    _ source: String, on engine: ExecutionEngine, functions: HostFunctions = HostFunctions(),
    memory: MemoryMap = MemoryMap(), sourceLocation: SourceLocation = #_sourceLocation
) throws -> ProgramRunner {
    runner(try Program(try Assembler.assemble(source)), on: engine, functions: functions, memory: memory,
           sourceLocation: sourceLocation)
}

func runner(
    _ program: Program, on engine: ExecutionEngine, functions: HostFunctions = HostFunctions(),
    memory: MemoryMap = MemoryMap(), sourceLocation: SourceLocation = #_sourceLocation
) -> ProgramRunner {
    let r = ProgramRunner(program: program, functions: functions, memory: memory, engine: engine)
    #expect(r.engine == engine, "\(r.fallbackReason ?? "")", sourceLocation: sourceLocation)
    return r
}

/// Runs and returns the runtime error (or nil).
func failure(_ runner: ProgramRunner, _ r1: UInt64 = 0, _ r2: UInt64 = 0) -> RuntimeError? {
    do {
        _ = try runner.run(r1, r2)
        return nil
    } catch {
        return error
    }
}

/// Both engines, for tests that must hold for each.
let engines = ExecutionEngine.allCases
