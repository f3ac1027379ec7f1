/// The opcodes a kernel supports, from `IORING_REGISTER_PROBE`.
public struct Probe: Hashable, Sendable {
    /// The highest opcode number the kernel knows.
    public let lastOpcode: Opcode
    /// The supported opcodes, in numeric order.
    public let supportedOpcodes: [Opcode]

    init(raw: [UInt8]) {
        lastOpcode = Opcode(rawValue: raw[0])
        let count = Int(raw[1])
        var supported: [Opcode] = []
        for index in 0..<count {
            let base = 16 + index * 8
            let flags = UInt16(raw[base + 2]) | UInt16(raw[base + 3]) << 8
            if flags & 1 != 0 { supported.append(Opcode(rawValue: raw[base])) }
        }
        supportedOpcodes = supported
    }

    /// Whether `opcode` is supported.
    public func supports(_ opcode: Opcode) -> Bool { supportedOpcodes.contains(opcode) }
}
