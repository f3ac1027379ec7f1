// libFuzzer target: the fuzzer's bytes are an object file (seeded with real clang-built objects). Every program and
// .text function that parses is linked into a runnable program (relocations applied: maps, global data, kfuncs,
// function addresses, subprogram calls), then run for a few thousand instructions on the interpreter with
// host functions that do nothing. Linking ends in a program or an ObjectFileError and the run in r0 or a
// RuntimeError, never in a crash or an access outside the program's memory (AddressSanitizer watches).
// Built and run by Scripts/fuzz/run (see Fuzz/README.md).
import BPF
import BPFObject

/// Kfuncs the loop's programs call.
let kfuncs: Set<String> = ["bpf_io_uring_get_region", "bpf_io_uring_submit_sqes"]

/// Host functions for every helper id and kfunc the programs may call: they return 0 (a NULL pointer, no SQEs).
let hostFunctions: HostFunctions = {
    var functions = HostFunctions()
    for id in [1, 2, 3, 5, 6, 7, 8, 125, 160, 177, 181] as [Int32] {
        functions.registerHelper(id: id, name: "helper \(id)") { _ in 0 }
    }
    for name in kfuncs.sorted() { functions.registerKfunc(name: name) { _ in 0 } }
    return functions
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let object = try? ObjectFile(bytes: Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    for program in object.programs + object.functions {
        // Each map's handle is an address no region covers: a program that dereferences it must be stopped.
        guard let executable = try? ExecutableProgram(program, of: object, mapHandle: { _ in 0x10_0000 }, kfuncs: kfuncs)
        else { continue }
        // A context of 64 bytes, as loop_step gets one (ctx, params).
        let context = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        defer { context.deallocate() }
        context.initializeMemory(as: UInt8.self, repeating: 0)
        let id = executable.memory.grant(MemoryRegion(name: "ctx", buffer: context))
        defer { executable.memory.revoke(id) }
        let interpreter = Interpreter(program: executable.program, functions: hostFunctions, memory: executable.memory)
        interpreter.instructionBudget = 5_000
        let base = UInt64(UInt(bitPattern: context.baseAddress))
        _ = try? interpreter.run(base, base + 32)
    }
    return 0
}
