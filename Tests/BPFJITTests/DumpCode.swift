import BPF
@testable import BPFJIT
import Foundation
import Testing

/// Writes the machine code of `$URING_BPF_JIT_DUMP.s` (uBPF assembly) to `$URING_BPF_JIT_DUMP.bin`, for reading
/// with `objdump -D -b binary -mi386:x86-64` (a development aid; does nothing unless the variable is set).
@Test(.enabled(if: ProcessInfo.processInfo.environment["URING_BPF_JIT_DUMP"] != nil))
func dumpMachineCode() throws {
    let path = ProcessInfo.processInfo.environment["URING_BPF_JIT_DUMP"]!
    let program = try Program(
        try Assembler.assemble(try String(contentsOfFile: path + ".s", encoding: .utf8)),
        validator: Validator(allowsDivisionByImmediateZero: true))
    let runner = try JITRunner(program: program)
    let code = UnsafeRawBufferPointer(start: runner.code.base, count: runner.codeSize)
    try Data(code).write(to: URL(fileURLWithPath: path + ".bin"))
}
