// libFuzzer target: the fuzzer's bytes are a program and its memory. Byte 0 picks the sizes of a read-write and a
// read-only region (up to 64 bytes each), filled from the next bytes; the rest, in 8-byte instructions, is the
// program. A program the validator accepts runs on the interpreter (a budget of 10,000 instructions), with r1 and
// r2 pointing at the regions and host functions that read, grant and revoke memory. The run ends in r0 or a
// RuntimeError; any crash, and any access outside the regions and the stack (AddressSanitizer watches the regions'
// exact heap allocations), is a finding. Built and run by Scripts/fuzz/run (see Fuzz/README.md).
import BPF

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let writableSize = Int(bytes[0] & 0x0f) * 4 + 1, readOnlySize = Int(bytes[0] >> 4) * 4 + 1
    guard size >= 1 + writableSize + readOnlySize + 8 else { return 0 }
    let code = bytes[(1 + writableSize + readOnlySize)...]
    let instructions = stride(from: code.startIndex, to: code.endIndex - 7, by: 8).map { start in
        Instruction(encoded: (0..<8).reduce(UInt64(0)) { $0 | UInt64(code[start + $1]) << (8 * UInt64($1)) })
    }
    guard let program = try? Program(instructions) else { return 0 }

    // Exact heap allocations: AddressSanitizer reports a byte read or written past either end.
    let writable = UnsafeMutableRawBufferPointer.allocate(byteCount: writableSize, alignment: 1)
    let readOnly = UnsafeMutableRawBufferPointer.allocate(byteCount: readOnlySize, alignment: 1)
    let extra = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
    defer { writable.deallocate(); readOnly.deallocate(); extra.deallocate() }
    writable.copyBytes(from: bytes[1..<(1 + writableSize)])
    readOnly.copyBytes(from: bytes[(1 + writableSize)..<(1 + writableSize + readOnlySize)])
    extra.initializeMemory(as: UInt8.self, repeating: 0)

    let memory = MemoryMap()
    _ = memory.grant(MemoryRegion(name: "writable", buffer: writable))
    _ = memory.grant(MemoryRegion(name: "read-only", buffer: UnsafeRawBufferPointer(readOnly)))
    final class Granted { var id: RegionID? }
    let granted = Granted()
    var functions = HostFunctions()
    // 1: reads r2 bytes at r1 when the program may (as helpers that take a buffer do); returns the sum.
    functions.registerHelper(id: 1, name: "sum") { call in
        guard call.r2 <= 256, call.isAccessible(call.r1, size: call.r2) else { return UInt64.max }
        let buffer = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(call.r1)), count: Int(call.r2))
        return buffer.reduce(0) { $0 &+ UInt64($1) }
    }
    // 2: grants the 16 extra bytes (read-write) and returns their address; 3: revokes them.
    functions.registerHelper(id: 2, name: "grant") { call in
        if granted.id == nil { granted.id = call.memory.grant(MemoryRegion(name: "extra", buffer: extra)) }
        return UInt64(UInt(bitPattern: extra.baseAddress))
    }
    functions.registerHelper(id: 3, name: "revoke") { call in
        if let id = granted.id { call.memory.revoke(id) }
        granted.id = nil
        return 0
    }
    // 4: stops the run with r1 as its result.
    functions.registerHelper(id: 4, name: "stop") { call in
        call.stopRun()
        return call.r1
    }
    functions.registerKfunc(name: "kfunc") { call in call.r1 &+ call.r2 }
    let interpreter = Interpreter(program: program, functions: functions, memory: memory)
    interpreter.instructionBudget = 10_000
    _ = try? interpreter.run(UInt64(UInt(bitPattern: writable.baseAddress)), UInt64(UInt(bitPattern: readOnly.baseAddress)),
                             UInt64(writableSize), UInt64(readOnlySize))
    // A second run on the same interpreter: its cached regions must follow the grants and revokes of the first.
    _ = try? interpreter.run(UInt64(UInt(bitPattern: extra.baseAddress)))
    return 0
}
