/// What a helper or kfunc argument must be (the kernel's `bpf_arg_type`, kfunc BTF parameter kinds).
enum ArgumentType: Equatable, Sendable {
    /// `ARG_ANYTHING`: any initialised value.
    case anything
    /// `ARG_CONST_MAP_PTR`: a map (`lddw` of a `.maps` variable).
    case map
    /// `ARG_PTR_TO_MAP_KEY`: memory holding `key_size` readable bytes.
    case mapKey
    /// `ARG_PTR_TO_MAP_VALUE`: memory holding `value_size` readable bytes.
    case mapValue
    /// `ARG_PTR_TO_MEM | MEM_RDONLY`: readable memory whose size is the next argument.
    case readableMemory
    /// `ARG_CONST_SIZE`: the size of the previous memory argument, bounded and positive.
    case constantSize
    /// `ARG_PTR_TO_FUNC`: a static function's address (a callback).
    case callback
    /// `ARG_PTR_TO_STACK_OR_NULL`: a stack pointer or NULL (a callback's context).
    case stackOrNull
    /// A kfunc's trusted pointer to kernel struct `name`.
    case kernelStruct(String)
    /// A kfunc scalar.
    case scalar
    /// A kfunc scalar named `rdwr_buf_size`: a known constant, the size of the returned memory.
    case bufferSize
}

/// What a helper or kfunc returns.
enum ReturnType: Equatable, Sendable {
    /// `RET_INTEGER`: an unknown scalar.
    case integer
    /// `RET_PTR_TO_MAP_VALUE_OR_NULL`.
    case mapValueOrNull
    /// A kfunc's `__u8 *` sized by its `rdwr_buf_size` argument (`PTR_TO_MEM`).
    case sizedMemory
}

/// A helper's or kfunc's signature as the verifier checks it.
struct Prototype: Sendable {
    var name: String
    var arguments: [ArgumentType]
    var returns: ReturnType
    /// `KF_SLEEPABLE`: only sleepable programs may call it.
    var isSleepable = false
    /// `KF_RET_NULL`: the result may be NULL.
    var returnsNull = false
}

/// The base helpers a struct_ops program may call (`bpf_base_func_proto` for a root loader).
enum Helpers {
    static let mapLookup: Int32 = 1
    static let mapUpdate: Int32 = 2
    static let mapDelete: Int32 = 3
    static let loop: Int32 = 181

    static func prototype(_ id: Int32) -> Prototype? {
        switch id {
        case 1: Prototype(name: "bpf_map_lookup_elem", arguments: [.map, .mapKey], returns: .mapValueOrNull)
        case 2: Prototype(name: "bpf_map_update_elem", arguments: [.map, .mapKey, .mapValue, .anything], returns: .integer)
        case 3: Prototype(name: "bpf_map_delete_elem", arguments: [.map, .mapKey], returns: .integer)
        case 5: Prototype(name: "bpf_ktime_get_ns", arguments: [], returns: .integer)
        case 6: Prototype(name: "bpf_trace_printk", arguments: [.readableMemory, .constantSize], returns: .integer)
        case 7: Prototype(name: "bpf_get_prandom_u32", arguments: [], returns: .integer)
        case 8: Prototype(name: "bpf_get_smp_processor_id", arguments: [], returns: .integer)
        case 42: Prototype(name: "bpf_get_numa_node_id", arguments: [], returns: .integer)
        case 125: Prototype(name: "bpf_ktime_get_boot_ns", arguments: [], returns: .integer)
        case 181: Prototype(name: "bpf_loop", arguments: [.anything, .callback, .stackOrNull, .anything], returns: .integer)
        case 208: Prototype(name: "bpf_ktime_get_tai_ns", arguments: [], returns: .integer)
        default: nil
        }
    }

    /// The helper's name for messages (`bpf_skb_load_bytes#26` style as the kernel prints unknown ones).
    static func name(_ id: Int32) -> String {
        prototype(id)?.name ?? knownNames[id] ?? "unknown"
    }

    private static let knownNames: [Int32: String] = [
        4: "bpf_probe_read", 9: "bpf_skb_store_bytes", 12: "bpf_tail_call", 14: "bpf_get_current_pid_tgid",
        15: "bpf_get_current_uid_gid", 16: "bpf_get_current_comm", 26: "bpf_skb_load_bytes",
        35: "bpf_get_current_task", 113: "bpf_probe_read_kernel", 112: "bpf_probe_read_user",
    ]
}

/// The kfuncs registered for struct_ops `io_uring_bpf_ops` (Linux 7.2, `io_uring/bpf-ops.c`).
enum Kfuncs {
    static func prototype(_ name: String) -> Prototype? {
        let essential = name.components(separatedBy: "___").first ?? name
        switch essential {
        case "bpf_io_uring_submit_sqes":
            return Prototype(
                name: essential, arguments: [.kernelStruct("iou_ctx"), .scalar], returns: .integer, isSleepable: true)
        case "bpf_io_uring_get_region":
            return Prototype(
                name: essential, arguments: [.kernelStruct("iou_ctx"), .scalar, .bufferSize], returns: .sizedMemory,
                returnsNull: true)
        default:
            return nil
        }
    }
}
