import UringBPF

/// How to run ``CopyDeep`` on one file: the MEM layout (the two paths, then the slot buffers from the next page),
/// the loop's options, the paths to write into MEM, and the results read back.
public struct CopyDeepJob: Sendable {
    /// The file to copy.
    public var input: String
    /// The copy (created, or truncated).
    public var output: String
    /// Reads and writes in flight (1...64).
    public var depth: Int
    /// Bytes per slot buffer: the file is copied in ranges of this size.
    public var bufferLength: Int

    /// A job copying `input` to `output` with `depth` buffers of `bufferLength` bytes.
    public init(input: String, output: String, depth: Int = 8, bufferLength: Int = 65536) {
        self.input = input
        self.output = output
        self.depth = depth
        self.bufferLength = bufferLength
    }

    /// The two paths, NUL-terminated, as they go at the start of MEM.
    public var pathTable: [UInt8] { Array(input.utf8) + [0] + Array(output.utf8) + [0] }
    /// Where the buffers start in MEM: the page after the paths.
    public var buffersOffset: Int { (pathTable.count + 4095) & ~4095 }
    /// The MEM region's size.
    public var memSize: Int { buffersOffset + depth * bufferLength }

    /// The loop's options in `mode`: rings that hold `depth` requests and the two closes, MEM, every setting.
    public func options(mode: LoopMode) -> LoopOptions {
        var options = LoopOptions()
        options.mode = mode
        options.sqEntries = UInt32(max(depth + 2, 1)).roundedUpToPowerOfTwo
        options.cqEntries = 2 * options.sqEntries
        options.memSize = memSize
        options.set(CopyDeep.Globals.depth, to: UInt32(clamping: depth))
        options.set(CopyDeep.Globals.buf_len, to: UInt32(clamping: bufferLength))
        options.globals.append(("in_path_addr", .memAddress(offset: 0)))
        options.globals.append(("out_path_addr", .memAddress(offset: UInt64(input.utf8.count + 1))))
        options.globals.append(("bufs_addr", .memAddress(offset: UInt64(buffersOffset))))
        return options
    }

    /// Writes the paths into the loop's MEM region (before its first run).
    public func prepare(_ loop: UringLoop) throws(LoopError) {
        guard let memory = loop.memory else { throw LoopError(.badArgument, "copy_deep needs a MEM region") }
        try memory.write(pathTable, at: 0)
    }

    /// What a run of copy_deep did.
    public struct Outcome: Sendable, Equatable {
        /// Bytes written to the copy.
        public var bytes: UInt64
        /// Reads and writes done.
        public var reads: Int, writes: Int
        /// Failed requests.
        public var errors: Int
        /// The first error's -errno, or 0.
        public var error: Int32

        /// An outcome with these counts.
        public init(bytes: UInt64, reads: Int, writes: Int, errors: Int, error: Int32) {
            self.bytes = bytes
            self.reads = reads
            self.writes = writes
            self.errors = errors
            self.error = error
        }
    }

    /// The results in the loop's globals.
    public static func outcome(of loop: UringLoop) throws(LoopError) -> Outcome {
        let g = loop.globals
        return Outcome(bytes: try g.value(CopyDeep.Globals.bytes_copied), reads: Int(try g.value(CopyDeep.Globals.reads)),
                       writes: Int(try g.value(CopyDeep.Globals.writes)), errors: Int(try g.value(CopyDeep.Globals.errors)),
                       error: try g.value(CopyDeep.Globals.error))
    }
}
