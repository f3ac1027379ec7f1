/// A `.BTF.ext` func_info record, relative to its program.
public struct FunctionInfo: Equatable, Sendable {
    /// Instruction index where the function starts.
    public var instruction: Int
    /// The BTF FUNC type ID.
    public var typeID: UInt32
    public init(instruction: Int, typeID: UInt32) {
        self.instruction = instruction
        self.typeID = typeID
    }
}

/// A `.BTF.ext` line_info record, relative to its program, with its strings resolved.
public struct LineInfo: Equatable, Sendable {
    /// Index of the first instruction of this source line.
    public var instruction: Int
    /// Offsets into the BTF string section, as the kernel wants them.
    public var fileNameOffset: UInt32
    /// Offset of the source line text in the BTF strings.
    public var lineOffset: UInt32
    /// `line << 10 | column`.
    public var lineColumn: UInt32
    /// Source file name.
    public var file: String
    /// The source text of the line.
    public var source: String

    /// Source line number (1-based).
    public var line: Int { Int(lineColumn >> 10) }
    /// Source column (1-based; 0 if unknown).
    public var column: Int { Int(lineColumn & 0x3ff) }
}

/// The parsed `.BTF.ext` section: per ELF section, func_info and line_info
/// records with byte offsets into that section.
struct BTFExt {
    struct RawFunctionInfo { var byteOffset: UInt32; var typeID: UInt32 }
    struct RawLineInfo { var byteOffset: UInt32; var fileNameOffset: UInt32; var lineOffset: UInt32; var lineColumn: UInt32 }

    var functionInfoRecordSize: Int = 8
    var lineInfoRecordSize: Int = 16
    var functionInfo: [String: [RawFunctionInfo]] = [:]
    var lineInfo: [String: [RawLineInfo]] = [:]
    /// Number of CO-RE relocation records (not applied by this reader).
    var coreRelocationCount = 0

    init() {}

    init(bytes: [UInt8], btf: BTF) throws(ObjectFileError) {
        let r = ByteReader(bytes, context: ".BTF.ext")
        guard try r.u16(0) == 0xeb9f else { throw .badBTFExt(reason: "bad magic") }
        guard try r.u8(2) == 1 else { throw .badBTFExt(reason: "unsupported version \(bytes[2])") }
        let headerLength = Int(try r.u32(4))
        guard headerLength >= 24, headerLength <= bytes.count else { throw .badBTFExt(reason: "bad header length \(headerLength)") }

        func sections(_ offset: Int, _ length: Int, minRecord: Int, what: String,
                      _ body: (_ section: String, _ record: Int) throws(ObjectFileError) -> Void) throws(ObjectFileError) -> Int {
            guard length > 0 else { return minRecord }
            let start = headerLength + offset
            try r.check(start, length)
            let end = start + length
            let recordSize = Int(try r.u32(start))
            guard recordSize >= minRecord, recordSize % 4 == 0, recordSize <= 1024 else {
                throw .badBTFExt(reason: "\(what) record size \(recordSize)")
            }
            var p = start + 4
            while p < end {
                guard end - p >= 8 else { throw .badBTFExt(reason: "\(what): truncated section header at \(p)") }
                let nameOff = try r.u32(p)
                let count = Int(try r.u32(p + 4))
                guard let name = btf.string(at: nameOff) else {
                    throw .badBTFExt(reason: "\(what): section name offset \(nameOff) is outside the BTF strings")
                }
                p += 8
                guard count <= (end - p) / recordSize else {
                    throw .badBTFExt(reason: "\(what): \(count) records for '\(name)' do not fit")
                }
                for i in 0..<count { try body(name, p + i * recordSize) }
                p += count * recordSize
            }
            return recordSize
        }

        let funcOff = Int(try r.u32(8)), funcLen = Int(try r.u32(12))
        let lineOff = Int(try r.u32(16)), lineLen = Int(try r.u32(20))
        var functionInfo: [String: [RawFunctionInfo]] = [:]
        var lineInfo: [String: [RawLineInfo]] = [:]
        functionInfoRecordSize = try sections(funcOff, funcLen, minRecord: 8, what: "func_info") { (name, p) throws(ObjectFileError) in
            functionInfo[name, default: []].append(RawFunctionInfo(byteOffset: try r.u32(p), typeID: try r.u32(p + 4)))
        }
        lineInfoRecordSize = try sections(lineOff, lineLen, minRecord: 16, what: "line_info") { (name, p) throws(ObjectFileError) in
            let file = try r.u32(p + 4), line = try r.u32(p + 8)
            guard btf.string(at: file) != nil, btf.string(at: line) != nil else {
                throw .badBTFExt(reason: "line_info in '\(name)': string offset outside the BTF strings")
            }
            lineInfo[name, default: []].append(RawLineInfo(byteOffset: try r.u32(p), fileNameOffset: file, lineOffset: line, lineColumn: try r.u32(p + 12)))
        }
        if headerLength >= 32 {
            let coreOff = Int(try r.u32(24)), coreLen = Int(try r.u32(28))
            var n = 0
            _ = try sections(coreOff, coreLen, minRecord: 16, what: "core_relo") { (_, _) throws(ObjectFileError) in n += 1 }
            coreRelocationCount = n
        }
        self.functionInfo = functionInfo
        self.lineInfo = lineInfo
    }
}
