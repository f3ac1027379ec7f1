/// Builds the value of a struct_ops map (`struct bpf_struct_ops_T`): ObjectFile's kernel layout (every byte zero
/// except the object's data members and, in each function-pointer slot, its program's fd as a u64), then the
/// caller's data members (e.g. `ring_fd`) written at their kernel offsets inside `data`. The kernel rejects non-zero
/// padding and non-zero data members it does not claim (io_uring claims only `ring_fd`).
enum StructOpsValue {
    static func build(
        _ binding: StructOpsBinding, programFDs: [String: Int32], setting: [String: UInt64]
    ) throws(BPFLoaderError) -> [UInt8] {
        let kernel = binding.kernelType
        func bad(_ message: String) -> BPFLoaderError {
            BPFLoaderError(.object, "struct_ops \(binding.variable.name) (\(kernel.name)): \(message)")
        }
        for slot in binding.layout.slots where programFDs[slot.program] == nil {
            throw bad("program \(slot.program) for \(slot.member) was not loaded")
        }
        var value = binding.layout.value(programFDs: programFDs)
        for (name, number) in setting.sorted(by: { $0.key < $1.key }) {
            guard let member = kernel.member(named: name) else {
                throw bad("the kernel's struct \(kernel.name) has no member \(name) to set")
            }
            guard !member.isFunctionPointer, (1...8).contains(member.size) else {
                throw bad("member \(name) is not an integer member")
            }
            guard member.size == 8 || number >> (8 * member.size) == 0 else {
                throw bad("\(number) does not fit the \(member.size)-byte member \(name)")
            }
            let start = binding.layout.dataOffset + member.offset
            guard start + member.size <= value.count else {
                throw bad("member \(name) is outside the \(value.count)-byte value")
            }
            for i in 0..<member.size { value[start + i] = UInt8(truncatingIfNeeded: number >> (8 * UInt64(i))) }
        }
        return value
    }
}
