import CUringShim
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

extension IoUring {
    /// Whether this kernel's `io_uring_setup(2)` accepts `flags` (with their ``SetupFlags/prerequisites``):
    /// tries a 2-entry ring and closes it again. Returns nil when accepted, else the errno.
    ///
    /// Flags that need more than a bit (CQSIZE, ATTACH_WQ, NO_MMAP, REGISTERED_FD_ONLY) get what they need:
    /// a CQ size, a ring to attach to, page-aligned user memory.
    public static func setupError(for flags: SetupFlags) -> Errno? {
        var params = RingParameters()
        params.flags = flags.union(flags.prerequisites)
        if params.flags.contains(.registeredFDOnly) { params.flags.insert(.noMmap) }
        if params.flags.contains(.cqSize) { params.cqEntries = 8 }
        var attachFD: Int32 = -1
        if params.flags.contains(.attachWQ) {
            var plain = RingParameters()
            attachFD = withUnsafeMutableBytes(of: &plain) { cus_io_uring_setup(2, $0.baseAddress) }
            if attachFD < 0 { return Errno(rawValue: -attachFD) }
            params.wqFD = UInt32(attachFD)
        }
        defer { if attachFD >= 0 { _ = Glibc.close(attachFD) } }
        var memory: UnsafeMutableRawPointer?
        if params.flags.contains(.noMmap) {
            let mapping = mmap(nil, 2 * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let mapping, mapping != MAP_FAILED else { return Errno(rawValue: Glibc.errno) }
            memory = mapping
            params.sqOffsets.userAddress = UInt64(UInt(bitPattern: mapping))
            params.cqOffsets.userAddress = UInt64(UInt(bitPattern: mapping + pageSize))
        }
        defer { if let memory { munmap(memory, 2 * pageSize) } }
        let result = withUnsafeMutableBytes(of: &params) { cus_io_uring_setup(2, $0.baseAddress) }
        if result < 0 { return Errno(rawValue: -result) }
        if params.flags.contains(.registeredFDOnly) {
            // The result is a registered-ring index, not an fd: unregister it through itself.
            var update = ResourceUpdate(offset: UInt32(result), data: 0, count: 0)
            _ = withUnsafeBytes(of: &update) {
                cus_io_uring_register(result, RegisterOpcode.unregisterRingFDs.rawValue | 1 << 31, $0.baseAddress, 1)
            }
        } else {
            _ = Glibc.close(result)
        }
        return nil
    }
}

/// Explains a failed `io_uring_setup` by trying the requested flags one at a time.
enum SetupDiagnosis {
    static func hint(for error: Errno, entries: UInt32, parameters: RingParameters) -> String? {
        switch error {
        case .invalidArgument:
            let requested = parameters.flags
            for (flag, _, kernelName) in SetupFlags.allNamed where requested.contains(flag) {
                let missing = flag.prerequisites.subtracting(requested)
                if !missing.isEmpty, IoUring.setupError(for: flag) == nil {
                    return "\(kernelName) needs \(missing.kernelNames.joined(separator: " and "))"
                }
            }
            for (flag, _, kernelName) in SetupFlags.allNamed where requested.contains(flag) {
                if IoUring.setupError(for: flag) == .invalidArgument {
                    return "this kernel does not support \(kernelName)"
                }
            }
            if entries == 0 || entries > 32768 { return "entries must be between 1 and 32768" }
            if !requested.isEmpty {
                return "this kernel accepts each flag alone; the combination \(requested.kernelNames.joined(separator: "|")) is invalid"
            }
            return nil
        case .notPermitted:
            return "io_uring is disabled or restricted (see /proc/sys/kernel/io_uring_disabled)"
        case .noFunction:
            return "this kernel has no io_uring"
        case .noMemory:
            return "not enough locked memory for the rings (RLIMIT_MEMLOCK)"
        default:
            return nil
        }
    }
}
