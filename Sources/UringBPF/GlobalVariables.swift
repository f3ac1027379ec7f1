import BPFObject

/// One global variable of a loop program and its current value.
public struct LoopGlobal: Sendable, Equatable {
    /// Section: `.data`, `.bss`, `.rodata`, `.data.NAME`, ...
    public var section: String
    /// The variable's name.
    public var name: String
    /// Byte offset in its section.
    public var offset: Int
    /// Size in bytes.
    public var size: Int
    /// Whether the variable's C type is a signed integer (or an array of them).
    public var isSigned: Bool
    /// The bytes, as they are now.
    public var bytes: [UInt8]

    /// The value as an integer, for variables of 1, 2, 4 or 8 bytes (sign-extended when signed).
    public var integer: Int64? {
        guard [1, 2, 4, 8].contains(size) else { return nil }
        var raw: UInt64 = 0
        for (i, b) in bytes.enumerated() { raw |= UInt64(b) << (8 * UInt64(i)) }
        guard isSigned, size < 8 else { return Int64(bitPattern: raw) }
        let shift = UInt64(64 - 8 * size)
        return Int64(bitPattern: raw << shift) >> Int64(shift)
    }

    /// `name = value` (integer if it has a scalar size, else hex bytes).
    public var formattedValue: String {
        if let integer {
            return isSigned ? "\(integer)" : "\(UInt64(bitPattern: integer))"
        }
        if bytes.allSatisfy({ $0 == 0 }) { return "{0 × \(size)}" }
        if let end = bytes.firstIndex(of: 0), end > 0, bytes[..<end].allSatisfy({ (0x20..<0x7f).contains($0) }) {
            return "\"" + String(decoding: bytes[..<end], as: UTF8.self) + "\""
        }
        return bytes.map { String($0, radix: 16).leftPadded(2) }.joined(separator: " ")
    }
}

/// The global variables of a loop program, read and written in place in the live section images
/// (host buffers in user mode, the mmapped global-data maps in kernel mode).
public struct GlobalVariables {
    struct Section {
        var data: GlobalData
        var image: UnsafeMutableRawBufferPointer
        /// `.rodata` after a kernel load is frozen (mapped read-only).
        var isWritable: Bool
    }

    var sections: [Section]
    let btf: BTF?

    /// Every variable of every global-data section, with its value now.
    public var all: [LoopGlobal] {
        sections.flatMap { section in
            section.data.variables.map { global($0, in: section) }
        }
    }

    /// The variable called `name`, if the program has one.
    public func variable(named name: String) -> LoopGlobal? {
        for section in sections {
            if let v = section.data.variable(named: name) { return global(v, in: section) }
        }
        return nil
    }

    /// The integer value of `name` (nil if there is no such scalar variable).
    public func integer(_ name: String) -> Int64? { variable(named: name)?.integer }

    /// Stores `value` (little-endian, truncated to the variable's size) in `name`.
    public func set(_ name: String, to value: UInt64) throws(LoopError) {
        for section in sections {
            guard let v = section.data.variable(named: name) else { continue }
            guard section.isWritable else {
                throw LoopError.badArgument("\(name) is in \(section.data.sectionName), which is read-only once the program is loaded")
            }
            guard v.size <= 8 else {
                throw LoopError.badArgument("\(name) is \(v.size) bytes; only integers of up to 8 bytes can be set")
            }
            for i in 0..<v.size {
                section.image[v.offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))
            }
            return
        }
        let known = all.map(\.name).joined(separator: ", ")
        throw LoopError.badArgument("the program has no global variable '\(name)' (it has: \(known))")
    }

    private func global(_ v: GlobalVariable, in section: Section) -> LoopGlobal {
        let end = min(v.offset + v.size, section.image.count)
        let bytes = v.offset < end ? Array(section.image[v.offset..<end]) : []
        return LoopGlobal(section: section.data.sectionName, name: v.name, offset: v.offset, size: v.size,
                          isSigned: isSignedInteger(v.typeID), bytes: bytes)
    }

    private func isSignedInteger(_ id: UInt32) -> Bool {
        guard let btf else { return false }
        var id = id
        for _ in 0..<16 {
            guard let resolved = try? btf.resolve(id), let type = try? btf.type(resolved) else { return false }
            switch type.body {
            case .int(_, let encoding, _, _): return encoding & 1 != 0
            case .enumerators: return type.kindFlag
            case .array(let element, _, _): id = element
            default: return false
            }
        }
        return false
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
