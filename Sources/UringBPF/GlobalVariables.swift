import BPFObject

/// The global variables of a loop program, read and written in place in the live section images (host buffers in
/// user mode, the mmapped global-data maps in kernel mode).
///
/// A `GlobalVariables` value keeps the loop's program memory alive, so it stays valid after the ``UringLoop`` is
/// gone. Read and write it between runs: during a run the program changes the same memory.
public struct GlobalVariables {
    struct Section {
        var data: GlobalData
        var image: UnsafeMutableRawBufferPointer
        /// `.rodata` is read-only once the program is loaded (the kernel freezes and maps it read-only).
        var isWritable: Bool
    }

    /// What owns the section images (the loaded program); retained so the images outlive the loop.
    let owner: AnyObject
    let sections: [Section]
    let btf: BTF?

    /// Every variable of every global-data section, with its value now.
    public var all: [LoopGlobal] {
        withExtendedLifetime(owner) {
            sections.flatMap { section in section.data.variables.map { global($0, in: section) } }
        }
    }

    /// The variable called `name`, if the program has one.
    public func variable(named name: String) -> LoopGlobal? {
        guard let (section, v) = find(name) else { return nil }
        return withExtendedLifetime(owner) { global(v, in: section) }
    }

    /// The value of `name` as a `Value`, whose size must be the variable's.
    public func value<Value: BitwiseCopyable>(_ name: String, as type: Value.Type = Value.self) throws(LoopError) -> Value {
        let (section, v) = try located(name, size: MemoryLayout<Value>.size, as: Value.self)
        return withExtendedLifetime(owner) { section.image.loadUnaligned(fromByteOffset: v.offset, as: Value.self) }
    }

    /// The value of the variable `name` names.
    public func value<Value>(_ name: GlobalName<Value>) throws(LoopError) -> Value { try value(name.name, as: Value.self) }

    /// Stores `value` in `name`, whose size must be `Value`'s. `.rodata` variables are read-only once loaded: give
    /// them through ``LoopOptions/globals`` instead.
    public func set<Value: BitwiseCopyable>(_ name: String, to value: Value) throws(LoopError) {
        let (section, v) = try located(name, size: MemoryLayout<Value>.size, as: Value.self)
        guard section.isWritable else {
            throw LoopError(.badArgument, "\(name) is in \(section.data.sectionName), which is read-only once the "
                + "program is loaded; set it before loading (LoopOptions.globals)")
        }
        withExtendedLifetime(owner) { section.image.storeBytes(of: value, toByteOffset: v.offset, as: Value.self) }
    }

    /// Stores `value` in the variable `name` names.
    public func set<Value>(_ name: GlobalName<Value>, to value: Value) throws(LoopError) { try set(name.name, to: value) }

    /// Stores an integer given from outside (`--set NAME=VALUE`) in `name`, refusing a value that does not fit.
    func set(_ name: String, integer: Int128) throws(LoopError) {
        guard let (section, v) = find(name) else { throw noSuchVariable(name) }
        let bytes = try integer.bytes(fitting: v.size, name: name)
        guard section.isWritable else {
            throw LoopError(.badArgument, "\(name) is in \(section.data.sectionName), which is read-only once loaded")
        }
        withExtendedLifetime(owner) {
            for (i, byte) in bytes.enumerated() { section.image[v.offset + i] = byte }
        }
    }

    /// Stores values given before load (``LoopOptions/globals``), `.rodata` included.
    func stage(_ values: [(name: String, bytes: [UInt8])]) {
        withExtendedLifetime(owner) {
            for (name, bytes) in values {
                guard let (section, v) = find(name), bytes.count == v.size else { continue }
                for (i, byte) in bytes.enumerated() { section.image[v.offset + i] = byte }
            }
        }
    }

    private func find(_ name: String) -> (Section, GlobalVariable)? {
        for section in sections {
            if let v = section.data.variable(named: name), v.offset >= 0, v.size <= section.image.count - v.offset {
                return (section, v)
            }
        }
        return nil
    }

    private func located<Value>(_ name: String, size: Int, as: Value.Type) throws(LoopError) -> (Section, GlobalVariable) {
        guard let (section, v) = find(name) else { throw noSuchVariable(name) }
        guard v.size == size else {
            throw LoopError(.badArgument, "\(name) is \(v.size) bytes, but \(Value.self) is \(size)")
        }
        return (section, v)
    }

    private func noSuchVariable(_ name: String) -> LoopError {
        let known = sections.flatMap { $0.data.variables.map(\.name) }.filter { !$0.isEmpty }
        return LoopError(.badArgument, "the program has no global variable '\(name)' (it has: \(known.joined(separator: ", ")))")
    }

    private func global(_ v: GlobalVariable, in section: Section) -> LoopGlobal {
        let end = min(v.offset + v.size, section.image.count)
        let bytes = v.offset < end ? Array(section.image[v.offset..<end]) : []
        return LoopGlobal(section: section.data.sectionName, name: v.name, offset: v.offset, size: v.size,
                          isSigned: btf?.isSignedInteger(v.typeID) ?? false, bytes: bytes)
    }
}

/// The typed name of a program's global variable, e.g. `GlobalName<UInt64>("nr_nops")`; the build plugin generates
/// one for every variable of a compiled object.
public struct GlobalName<Value: BitwiseCopyable>: Sendable, Hashable, CustomStringConvertible {
    /// The variable's name in the program.
    public let name: String
    /// Names the variable `name`, read and written as `Value`.
    public init(_ name: String) { self.name = name }
    public var description: String { name }
}

/// One global variable of a loop program and its value when it was read.
public struct LoopGlobal: Sendable, Equatable {
    /// An integer variable's value, with its C signedness.
    public enum Integer: Sendable, Equatable, CustomStringConvertible {
        case signed(Int64)
        case unsigned(UInt64)
        public var description: String {
            switch self {
            case .signed(let v): "\(v)"
            case .unsigned(let v): "\(v)"
            }
        }
        /// The two's-complement bits (an address stored in a `__u64`, say).
        public var bitPattern: UInt64 {
            switch self {
            case .signed(let v): UInt64(bitPattern: v)
            case .unsigned(let v): v
            }
        }
    }

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
    /// The bytes.
    public var bytes: [UInt8]

    /// The value of a 1-, 2-, 4- or 8-byte variable: sign-extended when its C type is signed, else unsigned (a
    /// `__u64` never comes back negative).
    public var integer: Integer? {
        guard [1, 2, 4, 8].contains(size), bytes.count == size else { return nil }
        var raw: UInt64 = 0
        for (i, b) in bytes.enumerated() { raw |= UInt64(b) << (8 * UInt64(i)) }
        guard isSigned else { return .unsigned(raw) }
        let shift = UInt64(64 - 8 * size)
        return .signed(Int64(bitPattern: raw << shift) >> Int64(shift))
    }

    /// The value as text: an integer, a short string, `{0 × N}`, or hex bytes.
    public var formattedValue: String {
        if let integer { return integer.description }
        if bytes.allSatisfy({ $0 == 0 }) { return "{0 × \(size)}" }
        if let end = bytes.firstIndex(of: 0), end > 0, bytes[..<end].allSatisfy({ (0x20..<0x7f).contains($0) }) {
            return "\"" + String(decoding: bytes[..<end], as: UTF8.self) + "\""
        }
        return bytes.map { String($0, radix: 16).leftPadded(2) }.joined(separator: " ")
    }
}

extension BTF {
    /// Whether type `id` is a signed integer, a signed enum, or an array of them.
    func isSignedInteger(_ id: UInt32) -> Bool {
        var id = id
        for _ in 0..<16 {
            guard let resolved = try? resolve(id), let type = try? type(resolved) else { return false }
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
