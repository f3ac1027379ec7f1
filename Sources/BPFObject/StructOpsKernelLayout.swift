import Foundation

/// How a struct_ops variable maps onto the kernel's struct_ops value type
/// (`struct bpf_struct_ops_<T> { common; struct T data; }`), computed from the
/// kernel's BTF without any kernel call. This is what a loader needs for
/// `BPF_MAP_CREATE` (value type and size), `BPF_PROG_LOAD` (attach BTF ID and
/// member index per program) and the map value (data members copied, program
/// fds in function slots).
package struct StructOpsKernelLayout: Equatable, Sendable {
    /// A function-pointer member filled by a program.
    package struct Slot: Equatable, Sendable {
        /// The program (entry function name) that fills the slot.
        package var program: String
        /// The member's name.
        package var member: String
        /// The kernel member index: the program's `expected_attach_type`.
        package var memberIndex: Int
        /// Byte offset of the slot in the map value (where the program fd goes, as 8 bytes).
        package var valueOffset: Int

        package init(program: String, member: String, memberIndex: Int, valueOffset: Int) {
            self.program = program
            self.member = member
            self.memberIndex = memberIndex
            self.valueOffset = valueOffset
        }
    }

    /// `struct T` in the kernel BTF: the programs' `attach_btf_id`.
    package var kernelTypeID: UInt32
    /// `struct bpf_struct_ops_T`: the map's `btf_vmlinux_value_type_id`.
    package var valueTypeID: UInt32
    /// The map's `value_size`.
    package var valueSize: Int
    /// Offset of `data` (the `struct T`) in the value.
    package var dataOffset: Int
    /// Function-pointer members that a program fills, in member order.
    package var slots: [Slot]
    /// The value with data members copied from the object and every function slot 0.
    package var initialValue: [UInt8]

    /// The map value with each slot's program fd written (native little-endian, 8 bytes).
    /// Programs missing from `programFDs` leave their slot 0 (not attached).
    package func value(programFDs: [String: Int32]) -> [UInt8] {
        var value = initialValue
        for slot in slots {
            guard let fd = programFDs[slot.program] else { continue }
            let v = UInt64(UInt32(bitPattern: fd))
            for i in 0..<8 { value[slot.valueOffset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
        }
        return value
    }
}

extension StructOpsVariable {
    /// Matches this variable (described by the object's `localBTF`) against the
    /// kernel's BTF: finds `struct T` and `struct bpf_struct_ops_T` (a `___flavour`
    /// suffix on T is ignored), locates `data`, and maps each local member to the
    /// kernel member of the same name. Local members the kernel lacks must be
    /// zero and unused; sizes and kinds of data members must match.
    package func kernelLayout(localBTF: BTF, kernelBTF: BTF) throws(ObjectFileError) -> StructOpsKernelLayout {
        let kernelType: StructOpsKernelType
        do { kernelType = try kernelBTF.structOpsType(named: typeName) } catch {
            if case .notFound(let what) = error {
                throw .badStructOps(name: name, reason: "the kernel BTF has no \(what) (struct_ops type not supported by this kernel)")
            }
            throw .badStructOps(name: name, reason: "\(error)")
        }
        return try kernelLayout(kernelType, localBTF: localBTF, kernelBTF: kernelBTF)
    }

    /// The same, for the kernel's struct_ops type already looked up in `kernelBTF`.
    package func kernelLayout(_ type: StructOpsKernelType, localBTF: BTF, kernelBTF: BTF) throws(ObjectFileError)
        -> StructOpsKernelLayout
    {
        func bad(_ reason: String) -> ObjectFileError { .badStructOps(name: name, reason: reason) }
        func btf<T>(_ body: () throws(BTFError) -> T) throws(ObjectFileError) -> T {
            do { return try body() } catch { throw bad("\(error)") }
        }
        let typeName = type.name
        let kernelType = type.typeID, valueType = type.valueTypeID, valueSize = type.valueSize
        let dataOffset = type.dataOffset
        let kernelMembers = try btf { () throws(BTFError) in try kernelBTF.members(of: kernelType) }
        let localMembers = try btf { () throws(BTFError) in try localBTF.members(of: typeID) }
        let kernelSize = type.size
        guard dataOffset + kernelSize <= valueSize else { throw bad("data does not fit the value type") }

        var value = [UInt8](repeating: 0, count: valueSize)
        var slots: [StructOpsKernelLayout.Slot] = []
        for local in members {
            let localBytes = local.offset + local.size <= data.count ? Array(data[local.offset..<(local.offset + local.size)]) : []
            guard let kernel = kernelMembers.first(where: { $0.name == local.name }) else {
                guard local.program == nil, localBytes.allSatisfy({ $0 == 0 }) else {
                    throw bad("member '\(local.name)' is set but the kernel's struct \(typeName) has no such member")
                }
                continue
            }
            let localInfo = localMembers[local.index]
            guard localInfo.bitfieldSize == 0, kernel.bitfieldSize == 0 else { throw bad("member '\(local.name)' is a bitfield") }
            let localKind = try btf { () throws(BTFError) in localBTF.kind(of: try localBTF.resolve(localInfo.type)) }
            let kernelResolved = try btf { () throws(BTFError) in try kernelBTF.resolve(kernel.type) }
            let kernelKind = kernelBTF.kind(of: kernelResolved)
            guard localKind == kernelKind else {
                throw bad("member '\(local.name)' is a \(localKind.map { "\($0)" } ?? "?") here but a \(kernelKind.map { "\($0)" } ?? "?") in the kernel")
            }
            if local.isFunctionPointer {
                guard case .reference(let pointee) = try btf({ () throws(BTFError) in try kernelBTF.type(kernelResolved) }).body,
                    kernelBTF.kind(of: try btf { () throws(BTFError) in try kernelBTF.resolve(pointee) }) == .functionPrototype
                else { throw bad("kernel member '\(local.name)' is not a function pointer") }
                if let program = local.program {
                    slots.append(.init(program: program, member: local.name, memberIndex: kernel.index,
                                       valueOffset: dataOffset + kernel.offset))
                }
                continue
            }
            let kernelMemberSize = try btf { () throws(BTFError) in try kernelBTF.size(of: kernel.type) }
            guard kernelMemberSize == local.size else {
                throw bad("member '\(local.name)' has \(local.size) bytes here but \(kernelMemberSize) in the kernel")
            }
            let start = dataOffset + kernel.offset
            guard start + local.size <= valueSize, localBytes.count == local.size else { throw bad("member '\(local.name)' out of range") }
            value.replaceSubrange(start..<(start + local.size), with: localBytes)
        }
        return StructOpsKernelLayout(kernelTypeID: kernelType, valueTypeID: valueType, valueSize: valueSize,
                                     dataOffset: dataOffset, slots: slots, initialValue: value)
    }
}

/// A struct_ops type as the kernel defines it: `struct T` (the ops table) and `struct bpf_struct_ops_T`, the
/// value of a struct_ops map, which holds `T` at `dataOffset` after a common header.
public struct StructOpsKernelType: Sendable, Equatable {
    /// A member of `struct T`.
    public struct Member: Sendable, Equatable {
        /// Member name.
        public var name: String
        /// Position in the struct: a program's `expected_attach_type` for function-pointer members.
        public var index: Int
        /// Byte offset within `struct T`.
        public var offset: Int
        /// Size in bytes.
        public var size: Int
        /// A pointer to a function prototype (a slot for a program).
        public var isFunctionPointer: Bool
    }

    /// `T`, e.g. `io_uring_bpf_ops`.
    public var name: String
    /// Id of `struct T`: a program's `attach_btf_id`.
    public var typeID: UInt32
    /// Size of `struct T`.
    public var size: Int
    /// Id of `struct bpf_struct_ops_T`: the map's `btf_vmlinux_value_type_id`.
    public var valueTypeID: UInt32
    /// Size of `struct bpf_struct_ops_T`: the map's value size.
    public var valueSize: Int
    /// Byte offset of the `data` member (`struct T`) inside the value.
    public var dataOffset: Int
    /// The members of `struct T`, in order.
    public var members: [Member]

    /// The member called `name`.
    public func member(named name: String) -> Member? { members.first { $0.name == name } }
}

extension BTF {
    /// The kernel's struct_ops type `name` (a `___flavour` suffix is ignored): `struct name`, `struct
    /// bpf_struct_ops_name` and where `data` sits in it. The one lookup every loader and layout uses.
    public func structOpsType(named name: String) throws(BTFError) -> StructOpsKernelType {
        let name = BTF.essentialName(name)
        let valueName = "bpf_struct_ops_" + name
        guard let structID = typeID(named: name, kind: .struct) else { throw BTFError.notFound("struct \(name)") }
        guard let valueTypeID = typeID(named: valueName, kind: .struct) else {
            throw BTFError.notFound("struct \(valueName)")
        }
        let typeID = structID
        guard let data = try members(of: valueTypeID).first(where: { (try? resolve($0.type)) == typeID }) else {
            throw BTFError.malformedType(typeID: valueTypeID, reason: "struct \(valueName) has no member of type struct \(name)")
        }
        var members: [StructOpsKernelType.Member] = []
        for member in try self.members(of: typeID) {
            guard member.bitfieldSize == 0, member.bitOffset % 8 == 0 else {
                throw BTFError.malformedType(typeID: typeID, reason: "member \(member.name) is a bitfield")
            }
            let resolved = try resolve(member.type)
            var isFunctionPointer = false
            if kind(of: resolved) == .pointer, case .reference(let pointee) = try type(resolved).body {
                isFunctionPointer = kind(of: try resolve(pointee)) == .functionPrototype
            }
            members.append(StructOpsKernelType.Member(
                name: member.name, index: member.index, offset: member.offset, size: try size(of: member.type),
                isFunctionPointer: isFunctionPointer))
        }
        return StructOpsKernelType(
            name: name, typeID: typeID, size: try size(of: typeID), valueTypeID: valueTypeID,
            valueSize: try size(of: valueTypeID), dataOffset: data.offset, members: members)
    }

    /// `name` without a libbpf-style `___flavour` suffix (from the last `___` on), as libbpf matches names.
    public static func essentialName(_ name: String) -> String {
        guard let range = name.range(of: "___", options: .backwards), range.lowerBound != name.startIndex else { return name }
        return String(name[..<range.lowerBound])
    }
}
