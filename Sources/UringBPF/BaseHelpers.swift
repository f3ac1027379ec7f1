import BPF

#if canImport(Glibc)
import Glibc
#endif

/// The helpers of the kernel's `bpf_base_func_proto` that a loop program may call, emulated for the
/// userspace loop. Ids and semantics are the kernel's (`include/uapi/linux/bpf.h`).
enum BaseHelper: Int32, CaseIterable {
    case mapLookupElem = 1
    case mapUpdateElem = 2
    case mapDeleteElem = 3
    case ktimeGetNs = 5
    case tracePrintk = 6
    case getPrandomU32 = 7
    case getSmpProcessorID = 8
    case spinLock = 93
    case spinUnlock = 94
    case ktimeGetBootNs = 125
    case traceVprintk = 177
    case loop = 181
    case ktimeGetCoarseNs = 160

    /// The kernel's name for the helper.
    var name: String {
        switch self {
        case .mapLookupElem: "bpf_map_lookup_elem"
        case .mapUpdateElem: "bpf_map_update_elem"
        case .mapDeleteElem: "bpf_map_delete_elem"
        case .ktimeGetNs: "bpf_ktime_get_ns"
        case .tracePrintk: "bpf_trace_printk"
        case .getPrandomU32: "bpf_get_prandom_u32"
        case .getSmpProcessorID: "bpf_get_smp_processor_id"
        case .spinLock: "bpf_spin_lock"
        case .spinUnlock: "bpf_spin_unlock"
        case .ktimeGetBootNs: "bpf_ktime_get_boot_ns"
        case .traceVprintk: "bpf_trace_vprintk"
        case .loop: "bpf_loop"
        case .ktimeGetCoarseNs: "bpf_ktime_get_coarse_ns"
        }
    }

    /// Names of some helpers a loop program cannot have, for clearer load errors.
    static func describe(_ id: Int32) -> String {
        let known: [Int32: String] = [
            4: "bpf_probe_read", 12: "bpf_tail_call", 14: "bpf_get_current_pid_tgid", 16: "bpf_get_current_comm",
            25: "bpf_perf_event_output", 113: "bpf_probe_read_kernel", 130: "bpf_ringbuf_output",
            131: "bpf_ringbuf_reserve", 132: "bpf_ringbuf_submit", 148: "bpf_copy_from_user",
            164: "bpf_for_each_map_elem", 165: "bpf_snprintf",
        ]
        if let helper = BaseHelper(rawValue: id) { return "helper \(id) (\(helper.name))" }
        if let name = known[id] { return "helper \(id) (\(name))" }
        return "helper \(id)"
    }
}

/// Clock and CPU helpers that need no program state.
enum HostClock {
    static func nanoseconds(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// The CPU the calling thread runs on (glibc's `sched_getcpu`, a GNU extension Swift's Glibc lacks).
func currentCPU() -> UInt64 {
    typealias Function = @convention(c) () -> Int32
    guard let f = schedGetCPU else { return 0 }
    return UInt64(max(0, unsafeBitCast(f, to: Function.self)()))
}

nonisolated(unsafe) private let schedGetCPU = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getcpu")
