import CUringShim
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// An io_uring instance: owns the ring fd, the rings mapping (SQ and CQ share one mmap) and the SQE array.
///
/// Create it with ``init(entries:flags:cqEntries:sqThreadIdle:sqThreadCPU:attachTo:)``; push entries built by the opcode
/// types (``Nop``, ``Read``, ``Send`` …), ``submit()``, then consume completions with ``popCompletion()``,
/// ``waitCompletion()`` or ``forEachCompletion(_:)``. Everything the kernel shares with user space is also
/// exposed raw (``ringsRegion``, ``submissionEntriesRegion``, ``parameters``) for loop engines that drive the
/// ring themselves. Those pointers are valid only while the ring lives.
///
/// With ``SetupFlags/deferTaskrun`` the kernel posts most completions only while a thread waits
/// (`IORING_ENTER_GETEVENTS`): use ``waitCompletion()`` or ``wait(for:timeout:)`` rather than polling.
public struct IoUring: ~Copyable {
    /// The ring file descriptor.
    public let fd: FileDescriptor
    /// The parameters `io_uring_setup(2)` returned: flags, features, entry counts, SQ/CQ offsets.
    public let parameters: RingParameters
    /// The submission queue.
    public var submissionQueue: SubmissionQueue
    /// The completion queue.
    public var completionQueue: CompletionQueue

    /// The setup flags, kept apart from ``parameters`` so hot paths read one word, not the whole struct.
    @usableFromInline let setupFlags: SetupFlags
    @usableFromInline var enterFD: Int32
    @usableFromInline var enterFlagsBase: UInt32
    /// Registered ring index, once ``registerRingFD()`` succeeded.
    public internal(set) var registeredIndex: UInt32?
    @usableFromInline let ringsBase: UnsafeMutableRawPointer
    @usableFromInline let ringsSize: Int
    @usableFromInline let sqesBase: UnsafeMutableRawPointer
    @usableFromInline let sqesSize: Int
    var memory: RegisteredMemory?
    var bufferRings: [BufferRing] = []

    /// The setup flags this ring was created with.
    @inlinable public var flags: SetupFlags { setupFlags }
    /// The kernel's io_uring features.
    public var features: Features { parameters.features }
    /// Number of SQ entries.
    public var sqEntries: UInt32 { parameters.sqEntries }
    /// Number of CQ entries.
    public var cqEntries: UInt32 { parameters.cqEntries }

    /// Creates a ring with `entries` SQ slots.
    ///
    /// - Parameters:
    ///   - entries: SQ size (rounded up to a power of two by the kernel).
    ///   - flags: setup flags; ``SetupFlags/cqSize`` is added when `cqEntries` is given.
    ///   - cqEntries: CQ size (default: twice the SQ size).
    ///   - sqThreadIdle: SQPOLL idle time in milliseconds.
    ///   - sqThreadCPU: CPU for the SQPOLL thread (with ``SetupFlags/sqAffinity``).
    ///   - attachTo: the fd of a ring whose async backend to share (``SetupFlags/attachWQ``).
    public init(entries: UInt32, flags: SetupFlags = [], cqEntries: UInt32? = nil, sqThreadIdle: UInt32 = 0,
                sqThreadCPU: UInt32 = 0, attachTo: FileDescriptor? = nil) throws(UringError) {
        var params = RingParameters()
        params.flags = flags
        if let cqEntries {
            params.flags.insert(.cqSize)
            params.cqEntries = cqEntries
        }
        params.sqThreadIdle = sqThreadIdle
        params.sqThreadCPU = sqThreadCPU
        if let attachTo { params.wqFD = UInt32(bitPattern: attachTo.rawValue) }
        try self.init(entries: entries, parameters: params)
    }

    /// Creates a ring from raw `io_uring_params` (for callers that need fields the other initializer lacks).
    public init(entries: UInt32, parameters: RingParameters) throws(UringError) {
        let requested = parameters.flags
        let operation = "io_uring_setup(entries: \(entries), flags: \(requested))"
        let unsupported = requested.intersection([.noMmap, .registeredFDOnly, .cqeMixed, .sqeMixed])
        if !unsupported.isEmpty {
            throw UringError(.notSupported, operation,
                             hint: "IoUring does not support \(unsupported.kernelNames.joined(separator: ", ")) yet")
        }
        var params = parameters
        let result = withUnsafeMutableBytes(of: &params) { cus_io_uring_setup(entries, $0.baseAddress) }
        if result < 0 {
            throw uringFailure(result, operation, hint: SetupDiagnosis.hint(for: Errno(rawValue: -result),
                                                                         entries: entries, parameters: parameters))
        }
        let ringFD = result
        guard params.features.contains(.singleMmap) else {
            _ = Glibc.close(ringFD)
            throw UringError(.notSupported, operation, hint: "the kernel lacks IORING_FEAT_SINGLE_MMAP (needs 5.4+)")
        }
        let flags = params.flags
        let cqeSize = flags.contains(.cqe32) ? 32 : 16
        let sqeSize = flags.contains(.sqe128) ? 128 : 64
        var ringBytes = Int(params.cqOffsets.cqes) + Int(params.cqEntries) * cqeSize
        if !flags.contains(.noSQArray) {
            ringBytes = max(ringBytes, Int(params.sqOffsets.array) + Int(params.sqEntries) * 4)
        }
        guard let alignedRingBytes = pageAligned(ringBytes) else {
            _ = Glibc.close(ringFD)
            throw UringError(.noMemory, operation, hint: "the kernel's ring offsets give a ring of \(ringBytes) bytes")
        }
        ringBytes = alignedRingBytes
        let sqeBytes = Int(params.sqEntries) * sqeSize
        let rings = mmap(nil, ringBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ringFD, 0)
        guard let rings, rings != MAP_FAILED else {
            let error = Errno(rawValue: Glibc.errno)
            _ = Glibc.close(ringFD)
            throw UringError(error, "mmap(IORING_OFF_SQ_RING, \(ringBytes) bytes)")
        }
        let sqes = mmap(nil, sqeBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ringFD, 0x1000_0000)
        guard let sqes, sqes != MAP_FAILED else {
            let error = Errno(rawValue: Glibc.errno)
            munmap(rings, ringBytes)
            _ = Glibc.close(ringFD)
            throw UringError(error, "mmap(IORING_OFF_SQES, \(sqeBytes) bytes)")
        }
        fd = FileDescriptor(rawValue: ringFD)
        self.parameters = params
        setupFlags = flags
        enterFD = ringFD
        enterFlagsBase = 0
        ringsBase = rings
        ringsSize = ringBytes
        sqesBase = sqes
        sqesSize = sqeBytes
        submissionQueue = SubmissionQueue(rings: rings, sqes: sqes, offsets: params.sqOffsets, flags: flags)
        completionQueue = CompletionQueue(rings: rings, offsets: params.cqOffsets, flags: flags)
    }

    deinit {
        munmap(sqesBase, sqesSize)
        munmap(ringsBase, ringsSize)
        memory?.unmapBeforeClose()
        _ = Glibc.close(fd.rawValue)
        // User memory the kernel pinned is released only after the ring is gone.
        memory?.releaseAfterClose()
        for ring in bufferRings { ring.release() }
    }

    // MARK: Raw views for loop engines

    /// The rings region exactly as the kernel lays it out (what `IORING_OFF_SQ_RING` maps with SINGLE_MMAP):
    /// SQ/CQ heads, tails, masks, flags at the ``parameters`` offsets, the CQEs from `cqOffsets.cqes`, and the
    /// SQ index array unless ``SetupFlags/noSQArray``. Its count is the page-rounded mapped size.
    /// Valid while the ring lives.
    public var ringsRegion: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: ringsBase, count: ringsSize)
    }

    /// The SQE array (what `IORING_OFF_SQES` maps): entry i at byte `64·i` (`128·i` with SQE128).
    /// Valid while the ring lives.
    public var submissionEntriesRegion: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: sqesBase, count: sqesSize)
    }

    /// The registered memory region (``registerMemoryRegion(size:kind:waitArguments:)``), or nil. Valid while the ring lives.
    public var memoryRegion: UnsafeMutableRawBufferPointer? { memory?.buffer }
}

/// Rounds `bytes` (at least 0) up to a whole number of pages; nil when the result does not fit an `Int`.
func pageAligned(_ bytes: Int) -> Int? {
    let (rounded, overflow) = bytes.addingReportingOverflow(pageSize - 1)
    guard bytes >= 0, !overflow else { return nil }
    return rounded / pageSize * pageSize
}

/// The system page size.
let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
