import Foundation

/// The kind of memory or object a pointer register points to (the kernel's `bpf_reg_type` without flags).
enum PointerKind: Hashable, Sendable {
    /// `PTR_TO_CTX`: the struct_ops argument array (`u64 ctx[]`).
    case context
    /// `PTR_TO_STACK`: a slot of the stack frame `frame` (0 = the entry function).
    case stack(frame: Int)
    /// `PTR_TO_MAP_VALUE`: a value of map `map` (an index into the run's maps; global data is a one-value map).
    case mapValue(map: Int)
    /// `CONST_PTR_TO_MAP`: the map itself (an argument for map helpers).
    case map(map: Int)
    /// `PTR_TO_MEM`: `size` bytes returned by a kfunc (e.g. `bpf_io_uring_get_region`); `readOnly` for `MEM_RDONLY`.
    case memory(size: Int, readOnly: Bool)
    /// `PTR_TO_BTF_ID`: a trusted pointer to a kernel struct (`iou_ctx`, `iou_loop_params`).
    case kernelStruct(KernelStruct)
    /// `PTR_TO_FUNC`: the address of subprogram starting at `start`.
    case function(start: Int)
}

/// A kernel struct a `PTR_TO_BTF_ID` may point to, with what the verifier knows of it (Linux 7.2 BTF).
enum KernelStruct: UInt8, Hashable, Sendable {
    /// `struct iou_ctx {}`: opaque and empty.
    case loopContext
    /// `struct iou_loop_params { __u32 cq_wait_idx; }`: only `cq_wait_idx` may be written.
    case loopParameters

    struct Member: Hashable, Sendable {
        var name: String
        var offset: Int
        var size: Int
    }

    /// The struct's name in kernel BTF, e.g. `iou_loop_params`.
    var name: String {
        switch self {
        case .loopContext: "iou_ctx"
        case .loopParameters: "iou_loop_params"
        }
    }

    /// Its size in bytes.
    var size: Int { self == .loopContext ? 0 : 4 }

    /// Its members (what a load may read).
    var members: [Member] { self == .loopContext ? [] : [Member(name: "cq_wait_idx", offset: 0, size: 4)] }

    /// The bytes a program may write (the struct_ops' `btf_struct_access`), nil if none.
    var writable: Range<Int>? { self == .loopContext ? nil : 0..<4 }
}

/// A pointer: what it points to, a fixed offset and a variable part (the kernel keeps both in `bpf_reg_state`).
struct Pointer: Hashable, Sendable {
    var kind: PointerKind
    /// The fixed offset (`reg->off`).
    var offset: Int64
    /// The variable offset (`var_off` and ranges), known zero for most pointers.
    var variable: Scalar
    /// `PTR_MAYBE_NULL`: may be NULL until a comparison with 0 says otherwise.
    var maybeNull: Bool
    /// Shared by copies of one NULL-able pointer, so a check of one refines all (`reg->id`); 0 if none.
    var id: Int

    init(_ kind: PointerKind, offset: Int64 = 0, maybeNull: Bool = false, id: Int = 0) {
        self.kind = kind
        self.offset = offset
        self.variable = .constant(0)
        self.maybeNull = maybeNull
        self.id = id
    }

    /// The type as the kernel prints it: `mem_or_null`, `fp`, `map_value`, `ptr_iou_loop_params`...
    var typeName: String {
        let base: String
        switch kind {
        case .context: base = "ctx"
        case .stack: base = "fp"
        case .mapValue: base = "map_value"
        case .map: base = "map_ptr"
        case .memory(_, let readOnly): base = readOnly ? "rdonly_mem" : "mem"
        case .kernelStruct(let s): base = "trusted_ptr_\(s.name)"
        case .function: base = "func"
        }
        return maybeNull ? base + "_or_null" : base
    }
}

/// One register's abstract value (the kernel's `bpf_reg_state`).
enum Register: Hashable, Sendable {
    /// `NOT_INIT`: never written (or clobbered by a call); reading it is an error.
    case uninitialized
    /// `SCALAR_VALUE`, with what links it to copies of the same unknown value.
    case scalar(Scalar, link: ScalarLink)
    /// A pointer.
    case pointer(Pointer)

    static let unknownScalar = Register.scalar(.unknown, link: .unlinked)
    static func constant(_ v: UInt64) -> Register { .scalar(.constant(v), link: .unlinked) }

    var scalar: Scalar? {
        if case .scalar(let s, _) = self { return s }
        return nil
    }

    var pointer: Pointer? {
        if case .pointer(let p) = self { return p }
        return nil
    }

    var isInitialized: Bool {
        if case .uninitialized = self { return false }
        return true
    }

    var isPointer: Bool { pointer != nil }

    /// The kernel's short spelling of the type (`scalar`, `fp`, `mem_or_null`, `ctx`).
    var typeName: String {
        switch self {
        case .uninitialized: "?"
        case .scalar: "scalar"
        case .pointer(let p): p.typeName
        }
    }
}

extension Register: CustomStringConvertible {
    /// `R1=mem_or_null(id=1,sz=64)`-style state, without the register name.
    var description: String {
        switch self {
        case .uninitialized: return "?"
        case .scalar(let s, let link):
            if link.isLinked && !s.isConstant {
                let text = s.description
                let tag = link.delta == 0 ? "id=\(link.id)" : "id=\(link.id)+\(link.delta)"
                return text.hasSuffix("()") ? "scalar(\(tag))" : text.replacingOccurrences(of: "scalar(", with: "scalar(\(tag),")
            }
            return s.description
        case .pointer(let p):
            var parts: [String] = []
            if p.id != 0 { parts.append("id=\(p.id)") }
            if p.offset != 0 { parts.append("off=\(p.offset)") }
            switch p.kind {
            case .memory(let size, _): parts.append("sz=\(size)")
            case .mapValue, .map: break
            default: break
            }
            if !p.variable.isZero { parts.append("var=\(p.variable)") }
            if case .stack(let frame) = p.kind, frame != 0 { parts.insert("frame=\(frame)", at: 0) }
            return parts.isEmpty ? p.typeName : "\(p.typeName)(\(parts.joined(separator: ",")))"
        }
    }
}
