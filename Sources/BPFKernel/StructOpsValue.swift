import BPFObject

/// Builds the value of a struct_ops map (`struct bpf_struct_ops_T`) from the kernel's BTF, as libbpf's
/// `bpf_map__init_kern_struct_ops` and `bpf_map_prepare_vdata` do: every byte zero except, inside `data` (the
/// kernel's `struct T`), each function-pointer member holding its program's fd as a u64, and each data member holding
/// the object's initial value or the caller's override. The kernel rejects non-zero padding and non-zero data
/// members it does not claim (io_uring claims only `ring_fd`).
enum StructOpsValue {
    static func build(
        _ binding: StructOpsBinding, programFDs: (String) -> Int32?, setting: [String: UInt64]
    ) throws(BPFLoaderError) -> [UInt8] {
        let variable = binding.variable
        let kernel = binding.kernelType
        func bad(_ message: String) -> BPFLoaderError {
            BPFLoaderError(.object, "struct_ops \(variable.name) (\(kernel.name)): \(message)")
        }
        var value = [UInt8](repeating: 0, count: kernel.valueSize)
        func write(_ bytes: some Collection<UInt8>, at offset: Int, member: String) throws(BPFLoaderError) {
            let start = kernel.dataOffset + offset
            guard start >= 0, start + bytes.count <= value.count else {
                throw bad("member \(member) at \(offset)+\(bytes.count) is outside the \(kernel.valueSize)-byte value")
            }
            value.replaceSubrange(start..<start + bytes.count, with: bytes)
        }

        for member in variable.members {
            let local = variable.data.dropFirst(member.offset).prefix(member.size)
            guard let kernelMember = kernel.member(named: member.name) else {
                // Missing in this kernel: allowed only if the object leaves it empty (libbpf's rule).
                if member.program != nil || local.contains(where: { $0 != 0 }) {
                    throw bad("the kernel's struct \(kernel.name) has no member \(member.name)")
                }
                continue
            }
            guard kernelMember.isFunctionPointer == member.isFunctionPointer else {
                throw bad("member \(member.name) is \(member.isFunctionPointer ? "" : "not ")a function pointer in "
                    + "the object but \(kernelMember.isFunctionPointer ? "" : "not ")one in the kernel")
            }
            if kernelMember.isFunctionPointer {
                guard let program = member.program else { continue }
                guard let fd = programFDs(program) else { throw bad("program \(program) was not loaded") }
                try write(littleEndian64(UInt64(UInt32(bitPattern: fd))), at: kernelMember.offset, member: member.name)
            } else {
                guard kernelMember.size == member.size else {
                    throw bad("member \(member.name) is \(member.size) bytes in the object but \(kernelMember.size) "
                        + "in the kernel")
                }
                try write(local, at: kernelMember.offset, member: member.name)
            }
        }

        for (name, number) in setting.sorted(by: { $0.key < $1.key }) {
            guard let kernelMember = kernel.member(named: name) else {
                throw bad("the kernel's struct \(kernel.name) has no member \(name) to set")
            }
            guard !kernelMember.isFunctionPointer, (1...8).contains(kernelMember.size) else {
                throw bad("member \(name) is not an integer member")
            }
            guard kernelMember.size == 8 || number >> (8 * kernelMember.size) == 0 else {
                throw bad("\(number) does not fit the \(kernelMember.size)-byte member \(name)")
            }
            try write(littleEndian64(number).prefix(kernelMember.size), at: kernelMember.offset, member: name)
        }
        return value
    }

    private static func littleEndian64(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
