import BPFKernel
import BPFObject
import SystemPackage
import Uring

/// Kernel mode: the object's `io_uring_bpf_ops` is loaded into the kernel and attached to the ring, so every
/// `io_uring_enter` on the ring runs the loop in the kernel. A run is one `io_uring_enter` (two if a stale wake-up
/// signal ended the first, which the kernel's loop allows: the program keeps its state in memory).
final class KernelLoop: LoopBackend {
    var ring: IoUring
    private let loaded: LoadedKernelObject
    private let object: ObjectFile
    private var attachment: StructOpsAttachment?
    private(set) var lastStatistics = LoopStatistics(steps: nil, waits: nil, sqesSubmitted: nil)

    /// Sets up the ring, loads `object` with the globals of `options` set before load (so `.rodata` can be set)
    /// and attaches it to the ring.
    init(object: ObjectFile, options: LoopOptions) throws(LoopError) {
        ring = try makeLoopRing(options, flags: loopRingFlags)
        self.object = object
        let ops = try UserLoopProgram.loopOps(in: object)
        let staged = try stagedGlobals(options, object: object, sqEntries: ring.sqEntries, cqEntries: ring.cqEntries,
                                       mem: ring.memoryRegion)
        var loader = KernelObjectLoader(object, name: String(ops.name.prefix(8)))
        do {
            for (name, bytes) in staged { try loader.setGlobal(name, bytes: bytes) }
            loaded = try loader.load()
        } catch {
            throw Self.loopError(error, "loading \(ops.name) into the kernel")
        }
        do {
            attachment = try loaded.attach(ringFD: ring.fd)
        } catch {
            throw Self.loopError(error, "attaching io_uring_bpf_ops to the ring")
        }
    }

    var emulatesSQRewind: Bool { false }

    var globals: GlobalVariables {
        var sections: [GlobalVariables.Section] = []
        for map in object.maps {
            guard let data = map.globalData, let image = loaded.globalSection(data.sectionName) else { continue }
            sections.append(.init(data: data, image: UnsafeMutableRawBufferPointer(mutating: image),
                                  isWritable: !data.isReadOnly))
        }
        return GlobalVariables(owner: self, sections: sections, btf: object.btf)
    }

    var memory: LoopMemory? { ring.memoryRegion.map { LoopMemory(owner: self, buffer: $0) } }

    func map(named name: String) throws(LoopError) -> LoopMap {
        guard let definition = object.map(named: name), definition.globalData == nil,
              loaded.mapDescriptor(named: name) != nil else {
            let known = object.maps.filter { $0.globalData == nil }.map(\.name)
            throw LoopError(.badArgument, "the program has no map '\(name)'"
                + (known.isEmpty ? "" : " (it has: \(known.joined(separator: ", ")))"))
        }
        return LoopMap(storage: KernelMap(loop: self, definition: definition))
    }

    /// Calls `body` with the kernel map `name`.
    func withMap<R>(named name: String, _ body: (borrowing BPFMap) throws(BPFError) -> R) throws(LoopError) -> R {
        do {
            return try loaded.withMap(named: name, body)
        } catch {
            throw LoopError(.badArgument, errno: error.errno, "\(error)")
        }
    }

    /// One `io_uring_enter`: the kernel runs `loop_step` until STOP, or fails with its errno.
    func run(_ control: RunControl) throws(LoopError) -> LoopStatistics {
        let startTail = ring.completionQueue.tailIndex
        var statistics = LoopStatistics(steps: nil, waits: nil, syscalls: 0, sqesSubmitted: nil)
        defer {
            statistics.cqesProduced = Int(ring.completionQueue.tailIndex &- startTail)
            lastStatistics = statistics
        }
        while true {
            if control.request != .none { throw stopError(control.request, steps: nil) }
            statistics.syscalls += 1
            do {
                _ = try ring.enter(toSubmit: 0, minComplete: 0, flags: .getEvents)
                statistics.cqesProduced = Int(ring.completionQueue.tailIndex &- startTail)
                return statistics
            } catch where error.errno == .interrupted {
                continue  // a stop request is checked above; otherwise a stale wake-up: resume
            } catch where error.errno == .invalidArgument {
                throw LoopError(.runFailed, errno: error.errno, "loop_step returned neither IOU_LOOP_CONTINUE (0) "
                    + "nor IOU_LOOP_STOP (1) (io_uring_enter failed with EINVAL)")
            } catch {
                throw LoopError(.runFailed, errno: error.errno, "\(error)")
            }
        }
    }

    func withRing<R, E: Error>(_ body: (inout IoUring) throws(E) -> R) throws(E) -> R { try body(&ring) }

    /// Detaches the program: the ring behaves as a normal ring again.
    func detach() { attachment = nil }

    private static func loopError(_ error: BPFLoaderError, _ what: String) -> LoopError {
        switch error.kind {
        case .unsupportedKernel: LoopError(.modeUnavailable, error.message)
        case .usage: LoopError(.badArgument, error.message)
        default: LoopError(.loadFailed, errno: error.errno, "\(what): \(error)")
        }
    }
}

/// A kernel map of a ``KernelLoop``, reached through `bpf()`.
final class KernelMap: MapStorage {
    let loop: KernelLoop
    let definition: MapDefinition
    var cpuCount: Int { possibleCPUCount }

    init(loop: KernelLoop, definition: MapDefinition) {
        self.loop = loop
        self.definition = definition
    }

    private var valueBytes: Int {
        definition.type.isPerCPU ? (definition.valueSize + 7) / 8 * 8 * possibleCPUCount : definition.valueSize
    }

    func lookup(key: [UInt8]) throws(LoopError) -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: valueBytes)
        let found = try loop.withMap(named: definition.name) { (map) throws(BPFError) -> Bool in
            let result: Result<Bool, BPFError> = key.withUnsafeBytes { k in
                value.withUnsafeMutableBytes { v in Result { () throws(BPFError) in try map.lookup(key: k, into: v) } }
            }
            return try result.get()
        }
        return found ? value : nil
    }

    func update(key: [UInt8], value: [UInt8], mode: BPFMapUpdateMode) throws(LoopError) {
        try loop.withMap(named: definition.name) { (map) throws(BPFError) in
            let result: Result<Void, BPFError> = key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in Result { () throws(BPFError) in try map.update(key: k, value: v, mode: mode) } }
            }
            try result.get()
        }
    }

    func delete(key: [UInt8]) throws(LoopError) -> Bool {
        try loop.withMap(named: definition.name) { (map) throws(BPFError) -> Bool in
            let result: Result<Bool, BPFError> = key.withUnsafeBytes { k in
                Result { () throws(BPFError) in try map.delete(key: k) }
            }
            return try result.get()
        }
    }

    func nextKey(after key: [UInt8]?) throws(LoopError) -> [UInt8]? {
        var next = [UInt8](repeating: 0, count: definition.keySize)
        let found = try loop.withMap(named: definition.name) { (map) throws(BPFError) -> Bool in
            let result: Result<Bool, BPFError> = next.withUnsafeMutableBytes { n in
                guard let key else { return Result { () throws(BPFError) in try map.nextKey(after: nil, into: n) } }
                return key.withUnsafeBytes { k in Result { () throws(BPFError) in try map.nextKey(after: k, into: n) } }
            }
            return try result.get()
        }
        return found ? next : nil
    }
}
