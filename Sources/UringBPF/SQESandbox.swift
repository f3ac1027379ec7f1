import Uring

#if canImport(Glibc)
import Glibc
#endif

/// User mode's SQE-address sandbox (``SQESandboxMode/strict``): the one place that knows, for each opcode it
/// allows, which SQE fields are user pointers and how many bytes the kernel reads or writes through each.
///
/// Every such range must lie in one allowed range (the MEM region or a ``GrantedMemory``); an SQE that fails is
/// refused with the errno the kernel gives for a bad user pointer (EFAULT), and an opcode or option it does not
/// know with EOPNOTSUPP, so a new opcode cannot bypass it. Structures the kernel reads pointers or lengths out of
/// (iovec arrays, msghdrs, NUL-terminated paths) are copied to the sandbox's own memory, checked there and submitted
/// from there: a request that completes while the batch is submitted (a READ into MEM) cannot change them between
/// the check and the kernel's read. Linux reads them when it prepares the request, inside the submitting
/// `io_uring_enter`, so the copies are reused by the next batch.
final class SQESandbox {
    /// What the check decided for one SQE.
    enum Verdict {
        /// Submit the SQE as the program wrote it.
        case unchanged
        /// Submit this SQE instead: the same request, its structures copied.
        case rewritten(SubmissionQueueEntry)
        /// Do not submit it.
        case refused(Refusal)
    }

    /// Why an SQE was refused.
    struct Refusal: Error {
        var field: String
        var address: UInt64
        var errno: Int32
        var reason: String
    }

    private let allowed: [Range<UInt64>]
    /// The opcodes whose SQEs carry no user pointer, as a bit set by opcode value (POLL_REMOVE's and ASYNC_CANCEL's
    /// addr is a user_data to match). Stored, not global: a global would cost a lazy-initialization check per use.
    private let pointerFreeOpcodes: UInt64 = [Opcode.nop, .fsync, .pollAdd, .pollRemove, .syncFileRange, .asyncCancel,
                                              .fallocate, .close, .fadvise, .splice, .tee, .removeBuffers, .shutdown,
                                              .socket, .ftruncate].reduce(0) { $0 | 1 << $1.rawValue }
    private let scratch = ScratchMemory()

    /// A sandbox that allows `mem` and `grants`.
    init(mem: UnsafeMutableRawBufferPointer?, grants: [GrantedMemory]) {
        var allowed = grants.map(\.range)
        if let mem { allowed.insert(UInt64(UInt(bitPattern: mem.baseAddress))..<UInt64(UInt(bitPattern: mem.baseAddress)) + UInt64(mem.count), at: 0) }
        self.allowed = allowed
    }

    /// Starts a batch (one `bpf_io_uring_submit_sqes`): the previous batch's copies are no longer read.
    func beginBatch() { scratch.reset() }

    /// Whether every SQE of `entries` passes as written without a closer look: an opcode that carries no user
    /// pointer and only known flags. The common batch (NOPs, polls, closes) takes this path, with no copy and
    /// no scratch memory.
    @inline(__always)
    func passesUnchanged(_ entries: UnsafeBufferPointer<SubmissionQueueEntry>) -> Bool {
        for i in entries.indices {
            let opcode = entries[i].opcode, flags = entries[i].flags
            guard opcode < 64, pointerFreeOpcodes & (1 << opcode) != 0, flags & ~Flag.known == 0 else { return false }
        }
        return true
    }

    /// The verdict on `sqe`.
    func check(_ sqe: SubmissionQueueEntry) -> Verdict {
        var sqe = sqe
        do {
            return try inspect(&sqe) ? .rewritten(sqe) : .unchanged
        } catch {
            return .refused(error)
        }
    }

    /// The SQE the kernel gets instead of a refused one: a NOP that completes with `errno` and the same
    /// `user_data` (`IORING_NOP_INJECT_RESULT`). It keeps the link flags, so if it is linked the kernel cancels the
    /// rest of the chain (-ECANCELED), as for any failed request.
    static func replacement(for sqe: SubmissionQueueEntry, errno: Int32) -> SubmissionQueueEntry {
        var nop = SubmissionQueueEntry(opcode: .nop)
        nop.flags = sqe.flags & (Flag.drain | Flag.link | Flag.hardlink)
        nop.opFlags = 1  // IORING_NOP_INJECT_RESULT
        nop.len = UInt32(bitPattern: -errno)
        nop.userData = sqe.userData
        return nop
    }

    // MARK: The opcodes

    /// Checks `sqe`'s pointers, copying the structures it points at; returns whether `sqe` was changed.
    private func inspect(_ sqe: inout SubmissionQueueEntry) throws(Refusal) -> Bool {
        // A flag the kernel adds later may change what the fields mean (the kernel refuses unknown ones today).
        if sqe.flags & ~Flag.known != 0 {
            throw unsupported(sqe, "SQE flags 0x\(String(sqe.flags & ~Flag.known, radix: 16)) are not allowed", field: "flags",
                              value: UInt64(sqe.flags))
        }
        if sqe.opcode < 64, pointerFreeOpcodes & (1 << sqe.opcode) != 0 { return false }
        let selectsBuffer = sqe.flags & Flag.bufferSelect != 0
        switch Opcode(rawValue: sqe.opcode) {
        case .readFixed, .writeFixed:
            try noAttributes(sqe)
            return false  // a registered buffer, by index: the kernel checks addr against it
        case .read, .write:
            try noAttributes(sqe)
            if !selectsBuffer { try range("addr", sqe.addr, UInt64(sqe.len)) }
            return false
        case .readv, .writev:
            try noAttributes(sqe)
            sqe.addr = try iovecs("addr", "iov", at: sqe.addr, count: UInt64(sqe.len), checkBases: !selectsBuffer)
            return true
        case .send:
            try onlyFlags(sqe, ioprio: RecvSend.pollFirst | RecvSend.fixedBuffer | RecvSend.bundle)
            if sqe.ioprio & RecvSend.fixedBuffer == 0, !selectsBuffer { try range("addr", sqe.addr, UInt64(sqe.len)) }
            // sendto's address (addr2, addr_len): the kernel reads it only when 0 < addr_len <= sockaddr_storage.
            let addressLength = UInt64(UInt16(truncatingIfNeeded: sqe.spliceFDIn))
            if sqe.off != 0, addressLength <= sockaddrStorageSize { try range("addr2", sqe.off, addressLength) }
            return false
        case .recv:
            try onlyFlags(sqe, ioprio: RecvSend.pollFirst | RecvSend.multishot | RecvSend.bundle)
            if !selectsBuffer { try range("addr", sqe.addr, UInt64(sqe.len)) }
            return false
        case .sendmsg:
            try onlyFlags(sqe, ioprio: RecvSend.pollFirst)
            if selectsBuffer { throw unsupported(sqe, "IOSQE_BUFFER_SELECT on SENDMSG is not allowed") }
            sqe.addr = try msghdr(at: sqe.addr)
            return true
        case .recvmsg:
            // The kernel writes msg_namelen, msg_controllen and msg_flags back into the msghdr when the request
            // completes, possibly long after the submit: a copy would not receive them, and the program's own
            // msghdr could be changed between the check and the kernel's read. RECV covers the common case.
            throw unsupported(sqe, "RECVMSG is not allowed: the kernel writes the msghdr back on completion")
        case .accept:
            // The kernel writes at most sizeof(struct sockaddr_storage) bytes of address, and the length word.
            if sqe.addr != 0 { try range("addr", sqe.addr, sockaddrStorageSize) }
            if sqe.off != 0 { try range("addr2", sqe.off, 4) }
            return false
        case .connect:
            // addr2 is the address length; the kernel reads nothing when it is not in 1...sockaddr_storage.
            let length = Int32(truncatingIfNeeded: sqe.off)
            if length > 0, UInt64(length) <= sockaddrStorageSize { try range("addr", sqe.addr, UInt64(length)) }
            return false
        case .timeout, .linkTimeout:
            try range("addr", sqe.addr, timespecSize)
            return false
        case .timeoutRemove:
            // IORING_TIMEOUT_UPDATE and IORING_LINK_TIMEOUT_UPDATE read a new timespec at addr2.
            if sqe.opFlags & (1 << 1 | 1 << 4) != 0 { try range("addr2", sqe.off, timespecSize) }
            return false
        case .openat, .unlinkat, .mkdirat:
            sqe.addr = try path("addr", at: sqe.addr)
            return true
        case .renameat, .symlinkat, .linkat:
            sqe.addr = try path("addr", at: sqe.addr)
            sqe.off = try path("addr2", at: sqe.off)
            return true
        case .openat2:
            sqe.addr = try path("addr", at: sqe.addr)
            // struct open_how, len bytes (the kernel refuses less than its first version, 24 bytes, unread).
            if sqe.len >= 24 { try range("addr2", sqe.off, UInt64(sqe.len)) }
            return true
        case .statx:
            // A NULL path with AT_EMPTY_PATH means the file fd itself.
            let emptyPath = sqe.addr == 0 && sqe.opFlags & 0x1000 != 0
            if !emptyPath { sqe.addr = try path("addr", at: sqe.addr) }
            try range("addr2", sqe.off, statxSize)
            return !emptyPath
        case .provideBuffers:
            // fd buffers of len bytes from addr; the kernel refuses a count outside 1...65536 unread.
            let count = Int32(truncatingIfNeeded: sqe.fd)
            if count > 0, count <= 1 << 16 { try range("addr", sqe.addr, UInt64(sqe.len) * UInt64(count)) }
            return false
        default:
            throw unsupported(sqe, "opcode \(Opcode(rawValue: sqe.opcode)) is not allowed by the SQE sandbox", field: "opcode",
                              value: UInt64(sqe.opcode))
        }
    }

    /// Refuses read/write attributes (`attr_ptr`/`attr_type_mask`, Linux 6.14+): a pointer this sandbox does not
    /// follow.
    private func noAttributes(_ sqe: SubmissionQueueEntry) throws(Refusal) {
        if sqe.pad != 0 { throw unsupported(sqe, "read/write attributes (attr_type_mask) are not allowed", field: "attr_type_mask", value: sqe.pad) }
    }

    /// Refuses `ioprio` flags beyond `allowed`: a flag this sandbox does not know may turn `addr` into a pointer to
    /// something else (IORING_SEND_VECTORIZED makes it an iovec array).
    private func onlyFlags(_ sqe: SubmissionQueueEntry, ioprio allowed: UInt16) throws(Refusal) {
        if sqe.ioprio & ~allowed != 0 {
            throw unsupported(sqe, "ioprio flags 0x\(String(sqe.ioprio & ~allowed, radix: 16)) are not allowed", field: "ioprio",
                              value: UInt64(sqe.ioprio))
        }
    }

    private func unsupported(_ sqe: SubmissionQueueEntry, _ reason: String, field: String = "opcode",
                             value: UInt64? = nil) -> Refusal {
        Refusal(field: field, address: value ?? UInt64(sqe.opcode), errno: EOPNOTSUPP, reason: reason)
    }

    // MARK: Memory

    /// Requires the `length` bytes at `address` to lie in one allowed range (an empty range touches nothing).
    private func range(_ field: String, _ address: UInt64, _ length: UInt64) throws(Refusal) {
        guard length > 0 else { return }
        let (end, overflow) = address.addingReportingOverflow(length)
        guard !overflow else {
            throw Refusal(field: field, address: address, errno: EFAULT,
                          reason: "\(length) bytes at 0x\(String(address, radix: 16)) run past the end of the address space")
        }
        guard allowed.contains(where: { $0.lowerBound <= address && end <= $0.upperBound }) else {
            throw Refusal(field: field, address: address, errno: EFAULT,
                          reason: "\(length) bytes at 0x\(String(address, radix: 16)) are outside MEM and granted memory")
        }
    }

    /// Checks and copies an iovec array of `count` entries at `address` (and, with `checkBases`, every buffer it
    /// names); returns the copy's address.
    private func iovecs(_ field: String, _ element: String, at address: UInt64, count: UInt64,
                        checkBases: Bool) throws(Refusal) -> UInt64 {
        guard count <= maxIovecs else {
            throw Refusal(field: field, address: address, errno: EINVAL,
                          reason: "\(count) iovecs are more than UIO_MAXIOV (\(maxIovecs))")
        }
        guard count > 0 else { return address }
        try range(field, address, count * 16)
        let copy = scratch.copy(from: address, count: Int(count) * 16)
        if checkBases {
            for i in 0..<Int(count) {
                let base = copy.load(fromByteOffset: i * 16, as: UInt64.self)
                let length = copy.load(fromByteOffset: i * 16 + 8, as: UInt64.self)
                try range("\(element)[\(i)].iov_base", base, length)
            }
        }
        return UInt64(UInt(bitPattern: copy))
    }

    /// Checks and copies a `struct msghdr` for SENDMSG: its name, its iovec array and each iovec, its control
    /// data; returns the copy's address (its `msg_iov` pointing at the iovecs' copy).
    private func msghdr(at address: UInt64) throws(Refusal) -> UInt64 {
        try range("addr", address, msghdrSize)
        let copy = scratch.copy(from: address, count: Int(msghdrSize))
        let name = copy.load(fromByteOffset: 0, as: UInt64.self)
        let nameLength = copy.load(fromByteOffset: 8, as: Int32.self)
        // The kernel reads at most sockaddr_storage bytes of name, and refuses a negative length unread.
        if name != 0, nameLength > 0 { try range("msg_name", name, min(UInt64(nameLength), sockaddrStorageSize)) }
        let iov = try iovecs("msg_iov", "msg_iov", at: copy.load(fromByteOffset: 16, as: UInt64.self),
                             count: copy.load(fromByteOffset: 24, as: UInt64.self), checkBases: true)
        copy.storeBytes(of: iov, toByteOffset: 16, as: UInt64.self)
        try range("msg_control", copy.load(fromByteOffset: 32, as: UInt64.self), copy.load(fromByteOffset: 40, as: UInt64.self))
        return UInt64(UInt(bitPattern: copy))
    }

    /// Checks and copies the NUL-terminated path at `address` (the NUL must be in the same allowed range, within
    /// PATH_MAX bytes); returns the copy's address.
    private func path(_ field: String, at address: UInt64) throws(Refusal) -> UInt64 {
        guard let region = allowed.first(where: { $0.contains(address) }) else {
            throw Refusal(field: field, address: address, errno: EFAULT,
                          reason: "the path at 0x\(String(address, radix: 16)) is outside MEM and granted memory")
        }
        let limit = Int(min(region.upperBound - address, pathMax))
        let start = UnsafeRawPointer(bitPattern: UInt(address))!
        guard let nul = memchr(start, 0, limit) else {
            if limit < Int(pathMax) {
                throw Refusal(field: field, address: address, errno: EFAULT,
                              reason: "the path has no NUL in the \(limit) bytes up to the end of its memory")
            }
            throw Refusal(field: field, address: address, errno: ENAMETOOLONG,
                          reason: "the path has no NUL within PATH_MAX (\(pathMax) bytes)")
        }
        let length = start.distance(to: UnsafeRawPointer(nul)) + 1
        let copy = scratch.copy(from: address, count: length)
        // The NUL may have been overwritten since memchr saw it: the copy ends where the check ended.
        copy.storeBytes(of: 0, toByteOffset: length - 1, as: UInt8.self)
        return UInt64(UInt(bitPattern: copy))
    }
}

/// `IOSQE_*` flags.
private enum Flag {
    static let drain: UInt8 = 1 << 1
    static let link: UInt8 = 1 << 2
    static let hardlink: UInt8 = 1 << 3
    static let bufferSelect: UInt8 = 1 << 5
    /// FIXED_FILE, IO_DRAIN, IO_LINK, IO_HARDLINK, ASYNC, BUFFER_SELECT, CQE_SKIP_SUCCESS.
    static let known: UInt8 = 0x7f
}

/// `IORING_RECVSEND_*` flags in a send's or receive's `ioprio`.
private enum RecvSend {
    static let pollFirst: UInt16 = 1 << 0
    static let multishot: UInt16 = 1 << 1
    static let fixedBuffer: UInt16 = 1 << 2
    static let bundle: UInt16 = 1 << 4
}

private let sockaddrStorageSize: UInt64 = 128
private let timespecSize: UInt64 = 16  // struct __kernel_timespec
private let statxSize: UInt64 = 256
private let msghdrSize: UInt64 = 56
private let maxIovecs: UInt64 = 1024  // UIO_MAXIOV
private let pathMax: UInt64 = 4096

/// Memory the sandbox copies structures into for one batch; grows in chunks that stay where they are.
private final class ScratchMemory {
    private var chunks: [UnsafeMutableRawBufferPointer] = []
    private var chunk = 0
    private var offset = 0

    deinit { for chunk in chunks { chunk.deallocate() } }

    func reset() {
        chunk = 0
        offset = 0
    }

    /// A copy of the `count` bytes at `address`, 16-byte aligned.
    func copy(from address: UInt64, count: Int) -> UnsafeMutableRawPointer {
        let size = (count + 15) & ~15
        while chunk < chunks.count, offset + size > chunks[chunk].count {
            chunk += 1
            offset = 0
        }
        if chunk == chunks.count { chunks.append(.allocate(byteCount: max(64 << 10, size), alignment: 16)) }
        let destination = chunks[chunk].baseAddress! + offset
        offset += size
        destination.copyMemory(from: UnsafeRawPointer(bitPattern: UInt(address))!, byteCount: count)
        return destination
    }
}
