import SystemPackage

/// BTF loaded into (or opened from) the kernel; its file descriptor is closed when the value goes away.
public struct BTFHandle: ~Copyable {
    /// The BTF object's file descriptor (borrowed: do not close it).
    public let descriptor: FileDescriptor

    /// Uploads raw BTF (`BPF_BTF_LOAD`): header, type section and string section as in a `.BTF` ELF section.
    ///
    /// It is loaded without a log first; if the kernel rejects it, it is loaded again with a log (grown to
    /// `btf_log_true_size` when too small) and the error carries the kernel's BTF log.
    public init(loading blob: [UInt8], logSize: Int = 64 * 1024) throws(BPFError) {
        if case .success(let fd) = Self.load(blob, logBuffer: nil).result {
            descriptor = fd
            return
        }
        var size = max(logSize, 4096)
        while true {
            var buffer = [UInt8](repeating: 0, count: size)
            let (result, trueSize) = Self.load(blob, logBuffer: &buffer)
            switch result {
            case .success(let fd):
                descriptor = fd
                return
            case .failure(let errno):
                if errno == .noSpace, size < BPFProgram.maxLogSize {
                    size = min(BPFProgram.maxLogSize, max(Int(trueSize), size * 2))
                    continue
                }
                throw BPFError(
                    command: .btfLoad, errno: errno, operation: "load BTF (\(blob.count) bytes)",
                    log: BPFProgram.logText(buffer))
            }
        }
    }

    /// Opens kernel-held BTF by id (`BPF_BTF_GET_FD_BY_ID`), e.g. a module's BTF or another program's.
    public init(id: UInt32) throws(BPFError) {
        var attr = BPFAttr(size: 12)  // offsetofend(open_flags)
        attr.set(id, at: 0)  // btf_id
        descriptor = try bpfCreateFD(.btfGetFDByID, &attr, operation: "open BTF id \(id)")
    }

    /// Ids of all BTF objects the kernel holds (`BPF_BTF_GET_NEXT_ID`): vmlinux, modules, and loaded BTF.
    /// Open one with `init(id:)`; `info().name` tells vmlinux and modules apart.
    public static func allIDs() throws(BPFError) -> [UInt32] {
        var ids: [UInt32] = []
        var id: UInt32 = 0
        while true {
            var attr = BPFAttr(size: 8)  // offsetofend(next_id)
            attr.set(id, at: 0)  // start_id
            switch bpfSyscall(.btfGetNextID, &attr) {
            case .success:
                id = attr.uint32(at: 4)  // next_id (written back)
                ids.append(id)
            case .failure(.noSuchFileOrDirectory): return ids
            case .failure(.interrupted): continue
            case .failure(let errno):
                throw BPFError(command: .btfGetNextID, errno: errno, operation: "list BTF ids after \(id)")
            }
        }
    }

    /// Wraps a BTF fd obtained elsewhere; it is closed with this value.
    public init(adopting descriptor: FileDescriptor) { self.descriptor = descriptor }

    deinit { try? descriptor.close() }

    /// Closes the BTF object now instead of at the end of its lifetime.
    public consuming func close() {}

    /// Id, size, name and origin of this BTF (`BPF_OBJ_GET_INFO_BY_FD`).
    public func info() throws(BPFError) -> BTFInfo { try BTFInfo(descriptor) }

    /// The raw BTF bytes as the kernel holds them (for kernel and module BTF, the same as `/sys/kernel/btf/NAME`).
    public func rawData() throws(BPFError) -> [UInt8] {
        let size = Int(try info().size)
        var data = [UInt8](repeating: 0, count: size)
        var info = [UInt8](repeating: 0, count: BTFInfo.layoutSize)
        // The kernel copies into `data` through the pointer stored in `info`, so call while it is pinned.
        let result: Result<Int, BPFError> = data.withUnsafeMutableBytes { data in
            withUnsafeBytes(of: UInt64(UInt(bitPattern: data.baseAddress)).littleEndian) {
                info.replaceSubrange(0..<8, with: $0)  // btf
            }
            withUnsafeBytes(of: UInt32(size).littleEndian) { info.replaceSubrange(8..<12, with: $0) }  // btf_size
            return Result { () throws(BPFError) in try objectInfo(descriptor, buffer: &info, what: "BTF") }
        }
        _ = try result.get()
        return data
    }

    private static func load(_ blob: [UInt8], logBuffer: UnsafeMutablePointer<[UInt8]>?) -> (
        result: Result<FileDescriptor, Errno>, trueSize: UInt32
    ) {
        var log = logBuffer?.pointee ?? []
        let (result, trueSize) = blob.withUnsafeBytes { blob in
            log.withUnsafeMutableBytes { log in
                // union bpf_attr, anonymous struct used by BPF_BTF_LOAD.
                var attr = BPFAttr(size: 32)  // offsetofend(btf_log_true_size)
                attr.set(blob.baseAddress, at: 0)  // btf
                attr.set(UInt32(blob.count), at: 16)  // btf_size
                if log.count > 0 {
                    attr.set(UnsafeRawPointer(log.baseAddress), at: 8)  // btf_log_buf
                    attr.set(UInt32(log.count), at: 20)  // btf_log_size
                    attr.set(UInt32(1), at: 24)  // btf_log_level (only 1 is accepted)
                }
                var result = bpfSyscall(.btfLoad, &attr)
                while case .failure(.interrupted) = result { result = bpfSyscall(.btfLoad, &attr) }
                return (result.map { FileDescriptor(rawValue: $0) }, attr.uint32(at: 28))  // btf_log_true_size
            }
        }
        logBuffer?.pointee = log
        return (result, trueSize)
    }
}
