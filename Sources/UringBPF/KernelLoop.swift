import BPFKernel
import CUringShim
import BPFObject
import SystemPackage
import Uring

/// Kernel mode: the object's `io_uring_bpf_ops` is loaded into the kernel and attached to the ring, so
/// every `io_uring_enter` on the ring runs the loop in the kernel. A run is exactly one `io_uring_enter`.
final class KernelLoop {
    var ring: IoUring
    let globals: GlobalVariables
    private(set) var lastStatistics = LoopStatistics(steps: nil, waits: nil, sqesSubmitted: nil)
    private let loaded: LoadedKernelObject
    private var attachment: StructOpsAttachment?

    /// Loads `object` with `globals` staged before load (so `.rodata` can be set) and attaches it to `ring`.
    init(object: ObjectFile, ring: consuming IoUring, globals staged: [(String, UInt64)]) throws(LoopError) {
        self.ring = ring
        let ops = try UserLoopProgram.loopOps(in: object)
        var loader = KernelObjectLoader(object, name: String(ops.name.prefix(8)))
        do {
            for (name, value) in staged {
                try loader.setGlobal(name, bytes: Self.littleEndian(value, size: Self.size(of: name, in: object)))
            }
            loaded = try loader.load()
        } catch {
            throw Self.loopError(error, "loading \(object.structOps.first?.name ?? "the object") into the kernel")
        }
        var sections: [GlobalVariables.Section] = []
        for map in object.maps {
            guard let data = map.globalData, let image = loaded.globalSection(data.sectionName) else { continue }
            sections.append(.init(data: data, image: UnsafeMutableRawBufferPointer(mutating: image),
                                  isWritable: !data.isReadOnly))
        }
        globals = GlobalVariables(sections: sections, btf: object.btf)
        do {
            attachment = try loaded.attach(ringFD: self.ring.fd)
        } catch {
            throw Self.loopError(error, "attaching io_uring_bpf_ops to the ring")
        }
    }

    /// One `io_uring_enter`: the kernel runs `loop_step` until STOP, or fails with its errno.
    func run() throws(LoopError) -> LoopStatistics {
        let interrupts = InterruptGuard()
        defer { withExtendedLifetime(interrupts) {} }
        let startTail = cqTail
        var statistics = LoopStatistics(steps: nil, waits: nil, syscalls: 1, sqesSubmitted: nil)
        defer {
            statistics.cqesProduced = Int(cqTail &- startTail)
            lastStatistics = statistics
        }
        do {
            _ = try ring.enter(toSubmit: 0, minComplete: 0, flags: .getEvents)
        } catch {
            throw LoopError.errno(error.errno.rawValue, "\(error)")
        }
        statistics.cqesProduced = Int(cqTail &- startTail)
        return statistics
    }

    private var cqTail: UInt32 {
        let rings = ring.ringsRegion.baseAddress!
        return cus_load_acquire(rings.advanced(by: Int(ring.parameters.cqOffsets.tail)).assumingMemoryBound(to: UInt32.self))
    }

    /// Detaches the program: the ring behaves as a normal ring again.
    func detach() { attachment = nil }

    private static func size(of name: String, in object: ObjectFile) -> Int {
        for map in object.maps { if let v = map.globalData?.variable(named: name) { return v.size } }
        return 8
    }

    private static func littleEndian(_ value: UInt64, size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 < 8 ? value >> (8 * UInt64($0)) : 0) }
    }

    private static func loopError(_ error: BPFLoaderError, _ what: String) -> LoopError {
        switch error.kind {
        case .unsupportedKernel: .modeUnavailable(error.message)
        case .usage: .badArgument(error.message)
        default:
            if let errno = error.errno { .errno(errno.rawValue, "\(what): \(error)") } else { .unsupportedProgram("\(what): \(error)") }
        }
    }
}
