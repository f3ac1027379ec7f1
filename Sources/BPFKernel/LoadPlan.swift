import BPFObject

/// A struct_ops variable of the object matched with the kernel's type of the same name.
struct StructOpsBinding: Sendable {
    let variable: StructOpsVariable
    let kernelType: StructOpsKernelType
    /// Where each program and data member goes in the kernel's value (BPFObject's matching by member name).
    let layout: StructOpsKernelLayout
}

/// What `BPF_PROG_LOAD` needs to attach a program to a struct_ops member.
struct StructOpsProgramTarget: Sendable {
    /// `attach_btf_id`: the kernel struct's id.
    let typeID: UInt32
    /// `expected_attach_type`: the member's index in the kernel struct.
    let memberIndex: Int
    let typeName: String
    let memberName: String
}

/// Everything `KernelObjectLoader` resolves against kernel BTF before it creates any kernel object: struct_ops types,
/// each program's attach target, and kfunc/ksym ids. Whatever the object or kernel lacks is reported here.
struct LoadPlan {
    var structOps: [StructOpsBinding] = []
    var programTargets: [String: StructOpsProgramTarget] = [:]
    var kernelIDs: [String: UInt32] = [:]
    var externIndex: [String: Int] = [:]

    init(_ object: ObjectFile, kernel: KernelBTF) throws(BPFLoaderError) {
        func bad(_ message: String) -> BPFLoaderError { BPFLoaderError(.object, message) }
        guard object.btf != nil else { throw bad("the object has no BTF (.BTF); compile it with clang -g") }
        guard object.coreRelocationCount == 0 else {
            throw bad("the object has \(object.coreRelocationCount) CO-RE relocations, which this loader does not apply")
        }

        for variable in object.structOps {
            guard variable.isLink else {
                throw bad("struct_ops \(variable.name) is in \(variable.sectionName); only .struct_ops.link "
                    + "(attached through a BPF link) is supported")
            }
            // First the kernel's type (a clear "needs Linux 7.1+" if it is missing), then the member matching.
            let kernelType = try kernel.structOps(named: variable.typeName)
            let layout: StructOpsKernelLayout
            do { layout = try variable.kernelLayout(kernelType, localBTF: object.btf!, kernelBTF: kernel.btf) } catch {
                throw bad("\(error)")
            }
            for slot in layout.slots {
                let target = StructOpsProgramTarget(
                    typeID: layout.kernelTypeID, memberIndex: slot.memberIndex, typeName: kernelType.name,
                    memberName: slot.member)
                if let other = programTargets[slot.program], other.typeID != target.typeID
                    || other.memberIndex != target.memberIndex
                {
                    throw bad("program \(slot.program) fills both \(other.typeName).\(other.memberName) and "
                        + "\(target.typeName).\(target.memberName); a program can implement only one member")
                }
                programTargets[slot.program] = target
            }
            structOps.append(StructOpsBinding(variable: variable, kernelType: kernelType, layout: layout))
        }

        for program in object.programs {
            guard program.isStructOps else {
                throw bad("program \(program.name) in section \(program.sectionName): only struct_ops programs "
                    + "(sections struct_ops/ and struct_ops.s/) can be loaded")
            }
            guard programTargets[program.name] != nil else {
                throw bad("struct_ops program \(program.name) is not referenced by any struct_ops variable")
            }
        }

        for (index, external) in object.externs.enumerated() {
            externIndex[external.name] = index
            switch external.kind {
            case .function:
                let function: KernelBTF.Function
                do { function = try kernel.kfunc(named: external.name) } catch where error.kind == .unsupportedKernel {
                    if external.isWeak { continue }
                    throw error
                }
                if let proto = external.prototypeID, let btf = object.btf,
                    case .prototype(_, let parameters)? = try? btf.type(proto).body,
                    parameters.count != function.parameterCount
                {
                    throw bad("kfunc \(external.name) takes \(function.parameterCount) parameters in the kernel, "
                        + "but the object declares \(parameters.count)")
                }
                kernelIDs[external.name] = function.typeID
            case .variable:
                let name = BTF.essentialName(external.name)
                if let id = kernel.btf.typeID(named: name, kind: .variable) {
                    kernelIDs[external.name] = id
                } else if !external.isWeak {
                    throw BPFLoaderError(.unsupportedKernel, "this kernel has no ksym \(name) in \(kernel.source)")
                }
            case .kconfig:
                throw bad("extern \(external.name) is a .kconfig value, which this loader does not support")
            }
        }
    }
}
