import UringBPF

/// How to run ``Slurp`` over a list of files: the MEM layout (slot buffers first, then the paths at a fixed stride),
/// the loop's options, the paths to write into MEM, and the results read back.
public struct SlurpJob: Sendable {
    /// The files to read.
    public var paths: [String] { didSet { pathStride = Self.stride(of: paths) } }
    /// Files in flight (1...128).
    public var depth: Int
    /// Bytes per slot buffer, a multiple of 8: a file is read in reads of this size until one comes back short.
    public var bufferLength: Int

    /// A job reading `paths`, `depth` at a time, through buffers of `bufferLength` bytes.
    public init(paths: [String], depth: Int = 32, bufferLength: Int = 8192) {
        self.paths = paths
        self.depth = depth
        self.bufferLength = bufferLength
        pathStride = Self.stride(of: paths)
    }

    /// Bytes between the starts of two paths: the longest path, its NUL, rounded up to 8.
    public private(set) var pathStride: Int

    private static func stride(of paths: [String]) -> Int { ((paths.map(\.utf8.count).max() ?? 0) + 1 + 7) & ~7 }
    /// Where the paths start in MEM: after the buffers.
    public var pathsOffset: Int { depth * bufferLength }
    /// The MEM region's size, page-rounded.
    public var memSize: Int { (pathsOffset + paths.count * pathStride + 4095) & ~4095 }

    /// The loop's options in `mode`: rings that hold `depth` requests, MEM, and every setting of the program.
    public func options(mode: LoopMode) -> LoopOptions {
        var options = LoopOptions()
        options.mode = mode
        options.sqEntries = UInt32(max(depth, 1)).roundedUpToPowerOfTwo
        options.cqEntries = 2 * options.sqEntries
        options.memSize = memSize
        options.set(Slurp.Globals.depth, to: UInt32(clamping: depth))
        options.set(Slurp.Globals.buf_len, to: UInt32(clamping: bufferLength))
        options.set(Slurp.Globals.bufs_off, to: 0)
        options.set(Slurp.Globals.nr_files, to: UInt32(clamping: paths.count))
        options.set(Slurp.Globals.path_stride, to: UInt32(clamping: pathStride))
        options.globals.append(("mem_addr", .memAddress(offset: 0)))
        options.globals.append(("paths_addr", .memAddress(offset: UInt64(pathsOffset))))
        return options
    }

    /// The paths as the program reads them: NUL-terminated, `pathStride` bytes apart.
    public var pathTable: [UInt8] {
        var table = [UInt8](repeating: 0, count: paths.count * pathStride)
        for (i, path) in paths.enumerated() {
            let start = i * pathStride
            table.replaceSubrange(start..<(start + path.utf8.count), with: path.utf8)
        }
        return table
    }

    /// Writes the paths into the loop's MEM region (before its first run).
    public func prepare(_ loop: UringLoop) throws(LoopError) {
        guard let memory = loop.memory else { throw LoopError(.badArgument, "slurp needs a MEM region") }
        try memory.write(pathTable, at: pathsOffset)
    }

    /// What a run of slurp found.
    public struct Outcome: Sendable, Equatable {
        /// Files read and closed.
        public var files: Int
        /// Bytes read.
        public var bytes: UInt64
        /// ``SlurpJob/checksum(_:)`` over every file, added up (mod 2^64).
        public var checksum: UInt64
        /// Failed opens, reads and closes.
        public var errors: Int
        /// The first error's -errno, or 0.
        public var error: Int32

        /// An outcome with these counts.
        public init(files: Int, bytes: UInt64, checksum: UInt64, errors: Int, error: Int32) {
            self.files = files
            self.bytes = bytes
            self.checksum = checksum
            self.errors = errors
            self.error = error
        }
    }

    /// The results in the loop's globals.
    public static func outcome(of loop: UringLoop) throws(LoopError) -> Outcome {
        let g = loop.globals
        return Outcome(files: Int(try g.value(Slurp.Globals.files_done)), bytes: try g.value(Slurp.Globals.bytes),
                       checksum: try g.value(Slurp.Globals.checksum), errors: Int(try g.value(Slurp.Globals.errors)),
                       error: try g.value(Slurp.Globals.error))
    }

    /// slurp's checksum of one file's content: the sum (mod 2^64) of its little-endian 64-bit words, a trailing
    /// partial word zero-padded. Files add up, so the order they complete in does not matter.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var sum: UInt64 = 0
        let words = bytes.count / 8
        for i in 0..<words { sum &+= UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
        var tail: UInt64 = 0
        for k in 0..<(bytes.count % 8) { tail |= UInt64(bytes[words * 8 + k]) << (8 * UInt64(k)) }
        return sum &+ tail
    }
}

extension UInt32 {
    /// The smallest power of two at least this (for values up to 2^31).
    var roundedUpToPowerOfTwo: UInt32 { self <= 1 ? 1 : 1 << (32 - (self - 1).leadingZeroBitCount) }
}
