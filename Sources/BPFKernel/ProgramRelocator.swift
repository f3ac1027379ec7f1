import BPF
import BPFObject

/// Applies an object program's relocations for `BPF_PROG_LOAD`: map fds, map values, kfunc and ksym BTF ids.
/// bpf-to-bpf calls and callback addresses were already linked by `BPFObject`.
struct ProgramRelocator {
    /// fd of each `.maps` map, by name.
    var mapFDs: [String: Int32] = [:]
    /// fd of each global-data map, by section name.
    var globalDataFDs: [String: Int32] = [:]
    /// Kernel BTF id of each resolved kfunc or ksym; weak externs the kernel lacks are absent.
    var kernelIDs: [String: UInt32] = [:]
    /// Index of each extern in the object (a missing weak kfunc's call is poisoned with it, as libbpf does).
    var externIndex: [String: Int] = [:]

    /// Helper number of a call to a weak kfunc the kernel lacks: fails verification only if reachable.
    static let poisonedCallBase: Int32 = 2_002_000_000

    /// The program's instructions with every relocation applied, as bytes for `BPF_PROG_LOAD`.
    func apply(to instructions: [Instruction], _ relocations: [ProgramRelocation], program: String)
        throws(BPFLoaderError) -> [UInt8]
    {
        var code = instructions
        func bad(_ index: Int, _ reason: String) -> BPFLoaderError {
            BPFLoaderError(.object, "program \(program), instruction \(index): \(reason)")
        }
        for relocation in relocations {
            let i = relocation.instruction
            guard i < code.count else { throw bad(i, "relocation past the end of the program") }
            switch relocation.target {
            case .map(let name):
                guard let fd = mapFDs[name] else { throw bad(i, "map \(name) was not created") }
                guard code[i].isLoadImmediate64, i + 1 < code.count else { throw bad(i, "map reference is not an lddw") }
                code[i].src = PseudoLoadKind.mapFD.rawValue
                code[i].imm = fd
                code[i + 1].imm = 0
            case .globalData(let section, let offset):
                guard let fd = globalDataFDs[section] else { throw bad(i, "no map for global data \(section)") }
                guard code[i].isLoadImmediate64, i + 1 < code.count else { throw bad(i, "global reference is not an lddw") }
                guard let offset = Int32(exactly: offset) else { throw bad(i, "offset \(offset) in \(section)") }
                code[i].src = PseudoLoadKind.mapValue.rawValue
                code[i].imm = fd
                code[i + 1].imm = offset
            case .kfunc(let name):
                guard code[i].isCall else { throw bad(i, "kfunc \(name) relocation is not on a call") }
                if let id = kernelIDs[name] {
                    code[i].src = ISA.CallKind.kfunc
                    code[i].imm = Int32(bitPattern: id)
                    code[i].offset = 0  // vmlinux (module BTFs would be fd_array indices)
                } else {
                    code[i].src = 0
                    code[i].imm = Self.poisonedCallBase + Int32(externIndex[name] ?? 0)
                }
            case .ksym(let name):
                guard code[i].isLoadImmediate64, i + 1 < code.count else { throw bad(i, "ksym \(name) is not an lddw") }
                if let id = kernelIDs[name] {
                    code[i].src = PseudoLoadKind.btfID.rawValue
                    code[i].imm = Int32(bitPattern: id)
                } else {  // a weak ksym the kernel lacks reads as NULL (bpf_ksym_exists() is false)
                    code[i].src = 0
                    code[i].imm = 0
                }
                code[i + 1].imm = 0
            case .subprogram, .functionAddress:
                break  // linked by BPFObject
            }
        }
        return Instruction.encode(code)
    }
}
