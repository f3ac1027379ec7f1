import SystemPackage

/// Everything `BPF_PROG_LOAD` needs to load one program.
///
/// File descriptors here are borrowed: the caller keeps their owners (``BTFHandle``, ``BPFMap``) alive until the
/// program has been loaded.
public struct BPFProgramSpec: Sendable {
    /// The program type.
    public var type: BPFProgramType
    /// The instructions as the kernel reads them: 8 bytes each, in host (little-endian) byte order, with
    /// relocations already applied (map fds, kfunc ids, ...).
    public var instructions: [UInt8]
    /// The license string; struct_ops programs and kfunc callers need a GPL-compatible one.
    public var license: String
    /// Object name (at most 15 bytes are kept).
    public var name: String
    /// `expected_attach_type` (for struct_ops: the member index, see ``BPFAttachType/structOpsMember(_:)``).
    public var expectedAttachType: BPFAttachType
    /// `attach_btf_id` (for struct_ops: id of the kernel struct, e.g. `struct io_uring_bpf_ops`).
    public var attachBTFID: UInt32
    /// `attach_btf_obj_fd`: the module BTF holding `attachBTFID`, or nil for vmlinux.
    public var attachBTFObject: FileDescriptor?
    /// Load flags.
    public var flags: BPFProgramFlags
    /// The program's own BTF (`prog_btf_fd`), required with `funcInfo`/`lineInfo`.
    public var btf: FileDescriptor?
    /// `bpf_func_info` records from `.BTF.ext`, with instruction offsets relative to this program.
    public var funcInfo: BTFExtRecords?
    /// `bpf_line_info` records from `.BTF.ext`; they put source lines into the verifier log.
    public var lineInfo: BTFExtRecords?
    /// `fd_array`: fds referenced by index from instructions (module BTFs for kfuncs, index 0 unused).
    public var fdArray: [Int32]
    /// Verifier log level used when a log is wanted on success too (0: only on failure, then level 1).
    public var logLevel: UInt32
    /// Initial verifier log buffer size in bytes; grown to the size the kernel reports.
    public var logSize: Int

    /// A program spec; everything not given is zero or empty.
    public init(
        type: BPFProgramType, instructions: [UInt8], license: String = "GPL", name: String = "",
        expectedAttachType: BPFAttachType = .none, attachBTFID: UInt32 = 0, attachBTFObject: FileDescriptor? = nil,
        flags: BPFProgramFlags = [], btf: FileDescriptor? = nil, funcInfo: BTFExtRecords? = nil,
        lineInfo: BTFExtRecords? = nil, fdArray: [Int32] = [], logLevel: UInt32 = 0, logSize: Int = 64 * 1024
    ) {
        self.type = type
        self.instructions = instructions
        self.license = license
        self.name = name
        self.expectedAttachType = expectedAttachType
        self.attachBTFID = attachBTFID
        self.attachBTFObject = attachBTFObject
        self.flags = flags
        self.btf = btf
        self.funcInfo = funcInfo
        self.lineInfo = lineInfo
        self.fdArray = fdArray
        self.logLevel = logLevel
        self.logSize = logSize
    }
}

/// A run of fixed-size `.BTF.ext` records (`bpf_func_info` or `bpf_line_info`) as passed to `BPF_PROG_LOAD`.
public struct BTFExtRecords: Sendable, Equatable {
    /// Size of one record in bytes (from the `.BTF.ext` sub-section header).
    public var recordSize: UInt32
    /// The records back to back; `bytes.count` is a multiple of `recordSize`.
    public var bytes: [UInt8]

    /// Wraps raw records.
    public init(recordSize: UInt32, bytes: [UInt8]) {
        precondition(recordSize > 0 && bytes.count % Int(recordSize) == 0, "records must be whole")
        self.recordSize = recordSize
        self.bytes = bytes
    }

    /// Number of records.
    public var count: Int { bytes.count / Int(recordSize) }
}
