// libFuzzer target: the fuzzer's bytes are the choices of a `ProgramGenerator`; the program runs on the
// interpreter and on the JIT, and any difference (r0 or error, instruction count, arena or stack bytes) or any
// crash is a finding. Built and run by Scripts/fuzz/jit-differential (see Fuzz/README.md).
import BPFJIT
import BPFProgramGenerator

#if canImport(Glibc)
import Glibc
#endif

/// One arena for the whole process: both engines of a case run against the same addresses.
let arena = Arena()

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var generator = ProgramGenerator(GeneratorRandomness(bytes: Array(UnsafeBufferPointer(start: data, count: size))))
    let generated = generator.generate()
    let differential: DifferentialCase
    do {
        differential = try DifferentialCase(generated, arena: arena)
    } catch {
        print("the generator made an invalid program: \(error)")
        abort()
    }
    if let mismatch = differential.mismatch(arena: arena) {
        print("the interpreter and the JIT disagree:\n" + differential.report(mismatch))
        abort()
    }
    return 0
}
