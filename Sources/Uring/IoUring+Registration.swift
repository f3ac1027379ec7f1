import CUringShim
import SystemPackage

extension IoUring {
    /// `io_uring_register(2)` as is: returns the kernel's result or throws, naming `what` was attempted.
    @discardableResult
    public func register(_ opcode: RegisterOpcode, argument: UnsafeRawPointer?, count: UInt32,
                         _ what: @autoclosure () -> String = "") throws(UringError) -> Int32 {
        let result = cus_io_uring_register(fd.rawValue, opcode.rawValue, argument, count)
        if result < 0 {
            let detail = what()
            throw uringFailure(result, "io_uring_register(\(detail.isEmpty ? "opcode \(opcode.rawValue)" : detail))")
        }
        return result
    }

    // MARK: Buffers

    /// Registers `buffers` as fixed buffers 0..<n for ``ReadFixed``/``WriteFixed``. The memory must outlive the
    /// registration.
    public func registerBuffers(_ buffers: [UnsafeMutableRawBufferPointer]) throws(UringError) {
        let vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        try vectors.withUnsafeBufferPointer { (pointer) throws(UringError) in
            _ = try register(.buffers, argument: pointer.baseAddress, count: UInt32(pointer.count),
                             "REGISTER_BUFFERS, \(pointer.count) buffers")
        }
    }

    /// Registers a sparse table of `count` empty buffer slots, filled later with ``updateBuffers(at:_:)``.
    public func registerSparseBuffers(count: UInt32) throws(UringError) {
        var request = ResourceRegister(count: count, flags: 1, data: 0)
        _ = try withUnsafeBytes(of: &request) { (raw) throws(UringError) in
            try register(.buffers2, argument: raw.baseAddress, count: UInt32(raw.count),
                         "REGISTER_BUFFERS2, sparse, \(count) slots")
        }
    }

    /// Replaces registered buffers starting at slot `offset`.
    public func updateBuffers(at offset: UInt32, _ buffers: [UnsafeMutableRawBufferPointer]) throws(UringError) {
        let vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        try vectors.withUnsafeBufferPointer { (pointer) throws(UringError) in
            var update = ResourceUpdate(offset: offset, data: UInt64(UInt(bitPattern: pointer.baseAddress)),
                                        count: UInt32(pointer.count))
            _ = try withUnsafeBytes(of: &update) { (raw) throws(UringError) in
                try register(.buffersUpdate, argument: raw.baseAddress, count: UInt32(raw.count),
                             "REGISTER_BUFFERS_UPDATE, offset \(offset), \(pointer.count) buffers")
            }
        }
    }

    /// Unregisters all fixed buffers.
    public func unregisterBuffers() throws(UringError) {
        try register(.unregisterBuffers, argument: nil, count: 0, "UNREGISTER_BUFFERS")
    }

    // MARK: Files

    /// Registers `files` as fixed files 0..<n (use ``FileTarget/fixed(_:)``); -1 leaves a slot empty.
    public func registerFiles(_ files: [Int32]) throws(UringError) {
        try files.withUnsafeBufferPointer { (pointer) throws(UringError) in
            _ = try register(.files, argument: pointer.baseAddress, count: UInt32(pointer.count),
                             "REGISTER_FILES, \(pointer.count) files")
        }
    }

    /// Registers `files` as fixed files 0..<n.
    public func registerFiles(_ files: [FileDescriptor]) throws(UringError) {
        try registerFiles(files.map(\.rawValue))
    }

    /// Registers a sparse table of `count` empty file slots.
    public func registerSparseFiles(count: UInt32) throws(UringError) {
        var request = ResourceRegister(count: count, flags: 1, data: 0)
        _ = try withUnsafeBytes(of: &request) { (raw) throws(UringError) in
            try register(.files2, argument: raw.baseAddress, count: UInt32(raw.count),
                         "REGISTER_FILES2, sparse, \(count) slots")
        }
    }

    /// Replaces registered files starting at slot `offset` (-1 clears a slot). Returns how many were updated.
    @discardableResult
    public func updateFiles(at offset: UInt32, _ files: [Int32]) throws(UringError) -> Int {
        try files.withUnsafeBufferPointer { (pointer) throws(UringError) in
            var update = ResourceUpdate(offset: offset, data: UInt64(UInt(bitPattern: pointer.baseAddress)),
                                        count: UInt32(pointer.count))
            return Int(try withUnsafeBytes(of: &update) { (raw) throws(UringError) in
                try register(.filesUpdate2, argument: raw.baseAddress, count: UInt32(raw.count),
                             "REGISTER_FILES_UPDATE2, offset \(offset), \(pointer.count) files")
            })
        }
    }

    /// Unregisters all fixed files.
    public func unregisterFiles() throws(UringError) {
        try register(.unregisterFiles, argument: nil, count: 0, "UNREGISTER_FILES")
    }

    // MARK: Eventfd, ring fd, enabling

    /// Signals `eventFD` for every posted completion.
    public func registerEventFD(_ eventFD: FileDescriptor) throws(UringError) {
        var raw = eventFD.rawValue
        try register(.eventFD, argument: &raw, count: 1, "REGISTER_EVENTFD, fd \(raw)")
    }

    /// Stops signalling the registered eventfd.
    public func unregisterEventFD() throws(UringError) {
        try register(.unregisterEventFD, argument: nil, count: 0, "UNREGISTER_EVENTFD")
    }

    /// Registers the ring fd with itself so `io_uring_enter` skips the fd lookup
    /// (`IORING_REGISTER_RING_FDS`; later enters use `IORING_ENTER_REGISTERED_RING`). Returns the index.
    @discardableResult
    public mutating func registerRingFD() throws(UringError) -> UInt32 {
        if let registeredIndex { return registeredIndex }
        var update = ResourceUpdate(offset: UInt32.max, data: UInt64(UInt32(bitPattern: fd.rawValue)), count: 0)
        _ = try withUnsafeBytes(of: &update) { (raw) throws(UringError) in
            try register(.ringFDs, argument: raw.baseAddress, count: 1, "REGISTER_RING_FDS")
        }
        registeredIndex = update.offset
        enterFD = Int32(bitPattern: update.offset)
        enterFlagsBase = EnterFlags.registeredRing.rawValue
        return update.offset
    }

    /// Undoes ``registerRingFD()``; later enters use the plain fd again.
    public mutating func unregisterRingFD() throws(UringError) {
        guard let index = registeredIndex else { return }
        var update = ResourceUpdate(offset: index, data: 0, count: 0)
        _ = try withUnsafeBytes(of: &update) { (raw) throws(UringError) in
            try register(.unregisterRingFDs, argument: raw.baseAddress, count: 1, "UNREGISTER_RING_FDS")
        }
        registeredIndex = nil
        enterFD = fd.rawValue
        enterFlagsBase = 0
    }

    /// Enables a ring created with ``SetupFlags/ringsDisabled``.
    public func enableRings() throws(UringError) {
        try register(.enableRings, argument: nil, count: 0, "REGISTER_ENABLE_RINGS")
    }

    /// Which opcodes this kernel supports (`IORING_REGISTER_PROBE`).
    public func probe() throws(UringError) -> Probe {
        let size = 16 + 256 * 8
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { bytes.deallocate() }
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        try register(.probe, argument: bytes, count: 256, "REGISTER_PROBE")
        return Probe(raw: Array(UnsafeRawBufferPointer(start: bytes, count: size)))
    }
}

/// `struct io_uring_rsrc_register` (32 bytes).
struct ResourceRegister {
    var count: UInt32
    var flags: UInt32
    var reserved: UInt64 = 0
    var data: UInt64
    var tags: UInt64 = 0
}

/// `struct io_uring_rsrc_update2` (32 bytes); its first 16 bytes are `io_uring_rsrc_update`.
struct ResourceUpdate {
    var offset: UInt32
    var reserved: UInt32 = 0
    var data: UInt64
    var tags: UInt64 = 0
    var count: UInt32
    var reserved2: UInt32 = 0

    init(offset: UInt32, data: UInt64, count: UInt32) {
        self.offset = offset
        self.data = data
        self.count = count
    }
}

#if canImport(Glibc)
import Glibc
#endif
