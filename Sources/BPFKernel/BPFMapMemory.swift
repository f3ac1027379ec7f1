import BPFObject
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A shared mapping of an array map created with ``/BPFObject/MapFlags/mmapable``; unmapped when the value goes away.
///
/// Writes through the mapping are seen by programs and by ``BPFMap``'s lookups immediately, which is how
/// global variables (`.data`, `.bss`, `.rodata`) are read and written in place.
public struct BPFMapMemory: ~Copyable {
    /// The mapped bytes: `maxEntries` values, each rounded up to 8 bytes.
    public let bytes: UnsafeMutableRawBufferPointer
    private let mappedLength: Int

    /// Maps `map` into memory; read-only if `writable` is false (needed for frozen maps).
    public init(mapping map: borrowing BPFMap, writable: Bool = true) throws(BPFError) {
        let stride = (Int(map.spec.valueSize) + 7) & ~7
        let length = stride * Int(map.spec.maxEntries)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        mappedLength = max(page, (length + page - 1) / page * page)
        let protection = writable ? (PROT_READ | PROT_WRITE) : PROT_READ
        let address = mmap(nil, mappedLength, protection, MAP_SHARED, map.descriptor.rawValue, 0)
        guard let address, address != MAP_FAILED else {
            throw BPFError(
                command: nil, errno: Errno(rawValue: Glibc.errno),
                operation: "mmap map \(BPFMap.quoted(map.spec.name)) (needs an array map with MapFlags.mmapable)")
        }
        bytes = UnsafeMutableRawBufferPointer(start: address, count: length)
    }

    deinit { munmap(bytes.baseAddress, mappedLength) }
}
