import SystemPackage

/// A loaded BPF program owned by this process; its file descriptor is closed when the value goes away.
public struct BPFProgram: ~Copyable {
    /// The program's file descriptor (borrowed: do not close it).
    public let descriptor: FileDescriptor
    /// The verifier log, if ``BPFProgramSpec/logLevel`` asked for one on success; otherwise empty.
    public let log: String

    /// How often a load that fails with EAGAIN is retried (as libbpf does).
    static let eagainAttempts = 5
    /// Largest verifier log buffer we are willing to allocate.
    static let maxLogSize = 1 << 30 - 1

    /// Loads a program (`BPF_PROG_LOAD`).
    ///
    /// It is loaded without a log first; if the kernel rejects it, it is loaded again with `log_level` 1 and a
    /// buffer (grown to `log_true_size` when too small), and the error carries the verifier's log.
    public init(_ spec: BPFProgramSpec) throws(BPFError) {
        guard !spec.instructions.isEmpty, spec.instructions.count % 8 == 0 else {
            throw BPFError(
                command: .programLoad, errno: .invalidArgument,
                operation: "load program \(BPFMap.quoted(spec.name)): \(spec.instructions.count) bytes of "
                    + "instructions is not a non-zero multiple of 8")
        }
        let operation = "load \(spec.type) program \(BPFMap.quoted(spec.name))"

        if spec.logLevel == 0 {
            switch Self.load(spec, logLevel: 0, logSize: 0) {
            case .loaded(let fd, _):
                descriptor = fd
                log = ""
                return
            case .failed: break  // load again below to get the log
            }
        }
        var logSize = min(max(spec.logSize, 4096), Self.maxLogSize)
        while true {
            switch Self.load(spec, logLevel: max(spec.logLevel, 1), logSize: logSize) {
            case .loaded(let fd, let text):
                descriptor = fd
                log = text
                return
            case .failed(let errno, let text, let trueSize):
                // ENOSPC: the log did not fit, so the verifier's real complaint is cut off; grow and retry.
                if errno == .noSpace, logSize < Self.maxLogSize {
                    logSize = min(Self.maxLogSize, max(Int(trueSize), logSize * 2))
                    continue
                }
                throw BPFError(command: .programLoad, errno: errno, operation: operation, log: text)
            }
        }
    }

    deinit { try? descriptor.close() }

    /// Closes the program now instead of at the end of its lifetime.
    public consuming func close() {}

    private enum Outcome {
        case loaded(FileDescriptor, log: String)
        case failed(Errno, log: String, trueSize: UInt32)
    }

    private static func load(_ spec: BPFProgramSpec, logLevel: UInt32, logSize: Int) -> Outcome {
        var logBuffer = [UInt8](repeating: 0, count: logSize)
        let license = Array(spec.license.utf8) + [0]
        let empty = [UInt8]()
        let funcInfo = spec.funcInfo?.bytes ?? empty
        let lineInfo = spec.lineInfo?.bytes ?? empty
        var result: Result<Int32, Errno> = .failure(.invalidArgument)
        var trueSize: UInt32 = 0
        for _ in 0..<eagainAttempts {
            result = spec.instructions.withUnsafeBytes { insns in
                license.withUnsafeBytes { license in
                    funcInfo.withUnsafeBytes { funcInfo in
                        lineInfo.withUnsafeBytes { lineInfo in
                            spec.fdArray.withUnsafeBytes { fdArray in
                                logBuffer.withUnsafeMutableBytes { logBuffer in
                                    // union bpf_attr, anonymous struct used by BPF_PROG_LOAD.
                                    var attr = BPFAttr(size: 152)  // offsetofend(fd_array_cnt)
                                    attr.set(spec.type.rawValue, at: 0)  // prog_type
                                    attr.set(UInt32(insns.count / 8), at: 4)  // insn_cnt
                                    attr.set(insns.baseAddress, at: 8)  // insns
                                    attr.set(license.baseAddress, at: 16)  // license
                                    if logLevel > 0 {
                                        attr.set(logLevel, at: 24)  // log_level
                                        attr.set(UInt32(logBuffer.count), at: 28)  // log_size
                                        attr.set(UnsafeRawPointer(logBuffer.baseAddress), at: 32)  // log_buf
                                    }
                                    attr.set(spec.flags.rawValue, at: 44)  // prog_flags
                                    attr.setName(spec.name, at: 48)  // prog_name[16]
                                    attr.set(spec.expectedAttachType.rawValue, at: 68)  // expected_attach_type
                                    attr.set(spec.btf?.rawValue ?? 0, at: 72)  // prog_btf_fd
                                    if let info = spec.funcInfo {
                                        attr.set(info.recordSize, at: 76)  // func_info_rec_size
                                        attr.set(funcInfo.baseAddress, at: 80)  // func_info
                                        attr.set(UInt32(info.count), at: 88)  // func_info_cnt
                                    }
                                    if let info = spec.lineInfo {
                                        attr.set(info.recordSize, at: 92)  // line_info_rec_size
                                        attr.set(lineInfo.baseAddress, at: 96)  // line_info
                                        attr.set(UInt32(info.count), at: 104)  // line_info_cnt
                                    }
                                    attr.set(spec.attachBTFID, at: 108)  // attach_btf_id
                                    attr.set(spec.attachBTFObject?.rawValue ?? 0, at: 112)  // attach_btf_obj_fd
                                    if !spec.fdArray.isEmpty {
                                        attr.set(fdArray.baseAddress, at: 120)  // fd_array
                                    }
                                    let result = bpfSyscall(.programLoad, &attr)
                                    trueSize = attr.uint32(at: 140)  // log_true_size (written back)
                                    return result
                                }
                            }
                        }
                    }
                }
            }
            if case .failure(.resourceTemporarilyUnavailable) = result { continue }
            if case .failure(.interrupted) = result { continue }
            break
        }
        let text = Self.logText(logBuffer)
        switch result {
        case .success(let fd): return .loaded(FileDescriptor(rawValue: fd), log: text)
        case .failure(let errno): return .failed(errno, log: text, trueSize: trueSize)
        }
    }

    static func logText(_ buffer: [UInt8]) -> String {
        let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
        return String(decoding: buffer[..<end], as: UTF8.self)
    }
}
