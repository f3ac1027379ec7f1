/// What an ``Extern`` is.
public enum ExternKind: Equatable, Sendable {
    /// A kfunc (`extern int f(...) __ksym;`): called with `call`.
    case function
    /// A typed ksym variable (`extern T v __ksym;`).
    case variable
    /// A `.kconfig` value (`extern int CONFIG_X __kconfig;`).
    case kconfig
}

/// An extern the loader must resolve against kernel BTF.
public struct Extern: Equatable, Sendable {
    /// The name ("" if anonymous).
    public var name: String
    /// What kind of entity this is.
    public var kind: ExternKind
    /// `__weak`: may be missing at load time (calls are then poisoned).
    public var isWeak: Bool
    /// The BTF FUNC or VAR ID in the object's BTF.
    public var typeID: UInt32
    /// For functions: the FUNC_PROTO ID to check against the kernel's prototype.
    public var prototypeID: UInt32?
}

/// A function-pointer member of a struct_ops variable and the program filling it.
public struct StructOpsMember: Equatable, Sendable {
    /// The name ("" if anonymous).
    public var name: String
    /// Position in its table (section header index, symbol index, member index).
    public var index: Int
    /// Byte offset within the struct.
    public var offset: Int
    /// Size in bytes.
    public var size: Int
    /// The program whose address is stored there, if any.
    public var program: String?
    /// Whether the member is a function pointer (otherwise it is data, copied from `data`).
    public var isFunctionPointer: Bool
}

/// A struct_ops variable from `.struct_ops` or `.struct_ops.link`: one
/// struct_ops map whose value the loader builds from `data` and the programs.
public struct StructOpsVariable: Equatable, Sendable {
    /// The name ("" if anonymous).
    public var name: String
    /// The ELF section it comes from.
    public var sectionName: String
    /// From `.struct_ops.link`: create the map with `BPF_F_LINK` and attach with a link.
    public var isLink: Bool
    /// The local struct type, e.g. `io_uring_bpf_ops` (look up `bpf_struct_ops_<name>` in the kernel).
    public var typeName: String
    /// BTF type ID in the object's BTF.
    public var typeID: UInt32
    /// Byte offset of the variable in its section.
    public var offset: Int
    /// Initial bytes of the struct (data members such as `ring_fd`; pointers are 0).
    public var data: [UInt8]
    /// Members in declaration order.
    public var members: [StructOpsMember]

    /// The program that fills member `name`.
    public func program(for member: String) -> String? { members.first { $0.name == member }?.program }
}
