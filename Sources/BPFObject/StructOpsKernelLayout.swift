/// How a struct_ops variable maps onto the kernel's struct_ops value type
/// (`struct bpf_struct_ops_<T> { common; struct T data; }`), computed from the
/// kernel's BTF without any kernel call. This is what a loader needs for
/// `BPF_MAP_CREATE` (value type and size), `BPF_PROG_LOAD` (attach BTF ID and
/// member index per program) and the map value (data members copied, program
/// fds in function slots).
public struct StructOpsKernelLayout: Equatable, Sendable {
    /// A function-pointer member filled by a program.
    public struct Slot: Equatable, Sendable {
        /// The program (entry function name) that fills the slot.
        public var program: String
        /// The member's name.
        public var member: String
        /// The kernel member index: the program's `expected_attach_type`.
        public var memberIndex: Int
        /// Byte offset of the slot in the map value (where the program fd goes, as 8 bytes).
        public var valueOffset: Int

        public init(program: String, member: String, memberIndex: Int, valueOffset: Int) {
            self.program = program
            self.member = member
            self.memberIndex = memberIndex
            self.valueOffset = valueOffset
        }
    }

    /// `struct T` in the kernel BTF: the programs' `attach_btf_id`.
    public var kernelTypeID: UInt32
    /// `struct bpf_struct_ops_T`: the map's `btf_vmlinux_value_type_id`.
    public var valueTypeID: UInt32
    /// The map's `value_size`.
    public var valueSize: Int
    /// Offset of `data` (the `struct T`) in the value.
    public var dataOffset: Int
    /// Function-pointer members that a program fills, in member order.
    public var slots: [Slot]
    /// The value with data members copied from the object and every function slot 0.
    public var initialValue: [UInt8]

    /// The map value with each slot's program fd written (native little-endian, 8 bytes).
    /// Programs missing from `programFDs` leave their slot 0 (not attached).
    public func value(programFDs: [String: Int32]) -> [UInt8] {
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
    public func kernelLayout(localBTF: BTF, kernelBTF: BTF) throws(ObjectFileError) -> StructOpsKernelLayout {
        func bad(_ reason: String) -> ObjectFileError { .badStructOps(name: name, reason: reason) }
        func btf<T>(_ body: () throws(BTFError) -> T) throws(ObjectFileError) -> T {
            do { return try body() } catch { throw bad("\(error)") }
        }
        let typeName = typeName.components(separatedBy: "___").first ?? typeName
        guard let kernelType = kernelBTF.typeID(named: typeName, kind: .struct) else {
            throw bad("the kernel BTF has no struct \(typeName) (struct_ops type not supported by this kernel)")
        }
        guard let valueType = kernelBTF.typeID(named: "bpf_struct_ops_" + typeName, kind: .struct) else {
            throw bad("the kernel BTF has no struct bpf_struct_ops_\(typeName)")
        }
        let valueSize = try btf { () throws(BTFError) in try kernelBTF.size(of: valueType) }
        let valueMembers = try btf { () throws(BTFError) in try kernelBTF.members(of: valueType) }
        var dataMember: BTF.MemberInfo? = nil
        for m in valueMembers where (try? kernelBTF.resolve(m.type)) == kernelType { dataMember = m }
        guard let dataMember else { throw bad("bpf_struct_ops_\(typeName) has no member of type struct \(typeName)") }
        let dataOffset = dataMember.offset
        let kernelMembers = try btf { () throws(BTFError) in try kernelBTF.members(of: kernelType) }
        let localMembers = try btf { () throws(BTFError) in try localBTF.members(of: typeID) }
        let kernelSize = try btf { () throws(BTFError) in try kernelBTF.size(of: kernelType) }
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
