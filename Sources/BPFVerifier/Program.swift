import BPF
import BPFObject

/// A map as the verifier sees it: sizes, whether programs may write it, and for frozen read-only maps the bytes a
/// load reads as constants (`bpf_map_direct_read`).
struct VerifierMap: Sendable {
    var name: String
    var type: MapType
    var keySize: Int
    var valueSize: Int
    var maxEntries: Int
    /// `BPF_F_RDONLY_PROG`: program stores are refused.
    var isReadOnly: Bool
    /// The frozen contents of a read-only global-data map.
    var frozenValue: [UInt8]?
}

/// What a call instruction calls.
enum CallTarget: Equatable, Sendable {
    case helper(Int32)
    case kfunc(String)
    /// A bpf-to-bpf call of the function starting at this instruction.
    case subprogram(Int)
}

/// The program with what the verifier derives once: functions, call targets, map references. A class so the many
/// accesses during exploration share one copy.
final class VerifierProgram {
    let instructions: [Instruction]
    let object: ObjectFile
    let program: ObjectProgram
    let maps: [VerifierMap]
    /// Map index by map name (`.maps` variables and global-data sections).
    let mapIndex: [String: Int]
    /// What each relocated instruction refers to.
    let relocations: [Int: RelocationTarget]
    /// First instruction of every function, sorted (the entry first at 0).
    let functionStarts: [Int]

    init(object: ObjectFile, program: ObjectProgram, globalData: [String: [UInt8]]) {
        self.object = object
        self.program = program
        instructions = program.instructions
        var maps: [VerifierMap] = []
        var index: [String: Int] = [:]
        for definition in object.maps {
            var frozen: [UInt8]? = nil
            let readOnly = definition.flags.contains(.readOnlyProgram)
            if let data = definition.globalData, readOnly {
                frozen = globalData[definition.name] ?? data.initialBytes
            }
            index[definition.name] = maps.count
            maps.append(VerifierMap(
                name: definition.name, type: definition.type, keySize: definition.keySize,
                valueSize: definition.valueSize, maxEntries: definition.maxEntries, isReadOnly: readOnly,
                frozenValue: frozen))
        }
        self.maps = maps
        mapIndex = index
        var relocations: [Int: RelocationTarget] = [:]
        for r in program.relocations { relocations[r.instruction] = r.target }
        self.relocations = relocations
        var starts = Set(program.functions.map(\.instruction))
        starts.insert(0)
        for (i, insn) in instructions.enumerated() {
            if insn.isLocalCall && relocations[i].map({ if case .kfunc = $0 { return false }; return true }) ?? true {
                starts.insert(i + Int(insn.imm) + 1)
            }
            if insn.isLoadImmediate64 && insn.src == PseudoLoadKind.function.rawValue {
                starts.insert(i + Int(insn.imm) + 1)
            }
        }
        let count = program.instructions.count
        functionStarts = starts.filter { $0 >= 0 && $0 < count }.sorted()
    }

    var count: Int { instructions.count }

    /// The function (its first instruction) containing `index`.
    func function(containing index: Int) -> Int {
        var lo = 0, hi = functionStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if functionStarts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return functionStarts[lo]
    }

    /// One past the last instruction of the function starting at `start`.
    func functionEnd(_ start: Int) -> Int {
        functionStarts.first { $0 > start } ?? instructions.count
    }

    /// What the call at `index` calls.
    func callTarget(at index: Int) -> CallTarget {
        let insn = instructions[index]
        if case .kfunc(let name)? = relocations[index] { return .kfunc(name) }
        if insn.src == ISA.CallKind.local { return .subprogram(index + Int(insn.imm) + 1) }
        if insn.src == ISA.CallKind.kfunc { return .kfunc("kfunc#\(insn.imm)") }
        return .helper(insn.imm)
    }

    /// The name of the function starting at `start`, for messages.
    func functionName(_ start: Int) -> String {
        program.functions.first { $0.instruction == start }?.name ?? "func#\(start)"
    }
}
