// libFuzzer target: the fuzzer's bytes are an object file. Parsing it (ELF, BTF, BTF.ext, maps, programs, struct_ops)
// must end in a value or an ObjectFileError, never a crash; so must everything a reader of a parsed object asks for
// (every BTF type and its description, source lines, disassembly, the BTF the kernel would get).
// Built and run by Scripts/fuzz/run (see Fuzz/README.md).
import BPF
import BPFObject

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let btf = try? BTF(bytes: bytes) { readAll(btf) }  // a raw .BTF blob, as `BTF(contentsOf:)` reads
    guard let object = try? ObjectFile(bytes: bytes) else { return 0 }
    if let btf = object.btf { readAll(btf) }
    _ = try? object.kernelBTF()
    for program in object.programs + object.functions {
        _ = Disassembler().disassemble(program.instructions)
        for index in program.instructions.indices { _ = program.sourceLocation(at: index)?.description }
    }
    for map in object.maps { _ = map.globalData?.variables.map(\.name) }
    for ops in object.structOps { _ = ops.program(for: "loop_step") }
    return 0
}

/// Every type of `btf`: its kind, name, size, members and description.
func readAll(_ btf: BTF) {
    guard btf.typeCount < 100_000 else { return }
    for id in 0...UInt32(btf.typeCount) {
        _ = btf.kind(of: id)
        _ = btf.name(of: id)
        _ = try? btf.type(id)
        _ = try? btf.size(of: id)
        _ = try? btf.resolve(id)
        _ = try? btf.members(of: id)
        _ = btf.typeDescription(id)
    }
}
