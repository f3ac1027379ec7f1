/// Memory besides the MEM region that SQEs may point at in user mode (``LoopOptions/grants``).
///
/// The program cannot load or store in granted memory itself (a kernel-mode program could not either): it can
/// only name its addresses in SQEs, for the kernel to read or write. The memory must stay valid, and be used
/// for nothing else that matters, for as long as the loop exists.
public struct GrantedMemory: @unchecked Sendable, Equatable {
    /// The first byte's address in this process.
    public let address: UInt64
    /// The number of bytes.
    public let count: Int

    /// The bytes of `buffer`.
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        address = UInt64(UInt(bitPattern: buffer.baseAddress))
        count = buffer.count
    }

    /// The addresses the grant covers.
    var range: Range<UInt64> { address..<(address + UInt64(count)) }
}
