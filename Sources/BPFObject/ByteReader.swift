/// Bounds-checked little-endian reads over a byte array. Every read either
/// succeeds or throws `ObjectFileError.truncated`; none can trap.
struct ByteReader {
    let bytes: [UInt8]
    /// What is being read, for error messages ("ELF header", ".BTF", ...).
    let context: String

    init(_ bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.context = context
    }

    var count: Int { bytes.count }

    func check(_ offset: Int, _ length: Int) throws(ObjectFileError) {
        guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw .truncated(what: context, offset: offset, length: length, available: bytes.count)
        }
    }

    func u8(_ offset: Int) throws(ObjectFileError) -> UInt8 {
        try check(offset, 1)
        return bytes[offset]
    }

    func u16(_ offset: Int) throws(ObjectFileError) -> UInt16 {
        try check(offset, 2)
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int) throws(ObjectFileError) -> UInt32 {
        try check(offset, 4)
        var value: UInt32 = 0
        for i in (0..<4).reversed() { value = value << 8 | UInt32(bytes[offset + i]) }
        return value
    }

    func u64(_ offset: Int) throws(ObjectFileError) -> UInt64 {
        try check(offset, 8)
        var value: UInt64 = 0
        for i in (0..<8).reversed() { value = value << 8 | UInt64(bytes[offset + i]) }
        return value
    }

    func slice(_ offset: Int, _ length: Int) throws(ObjectFileError) -> [UInt8] {
        try check(offset, length)
        return Array(bytes[offset..<(offset + length)])
    }

    /// A NUL-terminated string starting at `offset`; the NUL must be inside the array.
    func cString(_ offset: Int) -> String? {
        guard offset >= 0, offset < bytes.count else { return nil }
        guard let end = bytes[offset...].firstIndex(of: 0) else { return nil }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }
}

/// Appends little-endian values to a byte array.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { for i in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
}
