/// A range of host memory a BPF program may access, with permissions.
public struct MemoryRegion: Sendable, Equatable, CustomStringConvertible {
    /// Access permissions of a region.
    public struct Permissions: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        /// Creates permissions from raw bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Loads are allowed.
        public static let read = Permissions(rawValue: 1)
        /// Stores are allowed (atomics need read and write).
        public static let write = Permissions(rawValue: 2)
        /// Read and write.
        public static let readWrite: Permissions = [.read, .write]
    }

    /// A name for error messages ("ctx", "map:counters", "CQ ring").
    public var name: String
    /// First host address of the region.
    public var base: UInt64
    /// Size in bytes.
    public var size: UInt64
    /// What the program may do there.
    public var permissions: Permissions

    /// Creates a region.
    public init(name: String, base: UInt64, size: UInt64, permissions: Permissions) {
        self.name = name
        self.base = base
        self.size = size
        self.permissions = permissions
    }

    /// Creates a region covering a buffer.
    public init(name: String, buffer: UnsafeRawBufferPointer, permissions: Permissions = .read) {
        self.init(
            name: name, base: UInt64(UInt(bitPattern: buffer.baseAddress)), size: UInt64(buffer.count),
            permissions: permissions)
    }

    /// Creates a region covering a mutable buffer.
    public init(name: String, buffer: UnsafeMutableRawBufferPointer, permissions: Permissions = .readWrite) {
        self.init(name: name, buffer: UnsafeRawBufferPointer(buffer), permissions: permissions)
    }

    /// One past the last address.
    public var end: UInt64 { base &+ size }

    /// Whether `[address, address + size)` lies inside the region.
    public func contains(address: UInt64, size accessSize: UInt64) -> Bool {
        address >= base && accessSize <= size && address - base <= size - accessSize
    }

    /// `name [0x…, 0x…) rw`.
    public var description: String {
        let perms = (permissions.contains(.read) ? "r" : "-") + (permissions.contains(.write) ? "w" : "-")
        return "\(name) [0x\(String(base, radix: 16)), 0x\(String(end, radix: 16))) \(perms)"
    }
}

/// Handle for a granted region, used to revoke it.
public struct RegionID: Hashable, Sendable {
    let value: UInt64
}

/// The regions a program may access besides its stack. Host functions may grant and revoke regions during a run
/// (the interpreter re-reads the map after every host call); the host may change it between runs.
///
/// Not thread-safe: mutate it only from the thread running the program (or between runs).
public final class MemoryMap {
    struct Entry {
        var id: RegionID
        var region: MemoryRegion
    }

    private(set) var entries: [Entry] = []
    private var nextID: UInt64 = 1

    /// Creates an empty map.
    public init() {}

    /// The granted regions, in grant order.
    public var regions: [MemoryRegion] { entries.map(\.region) }

    /// Grants access to a region; returns a handle to revoke it.
    /// A region must not wrap around the end of the address space (a host bug, so it traps).
    @discardableResult
    public func grant(_ region: MemoryRegion) -> RegionID {
        precondition(!region.base.addingReportingOverflow(region.size).overflow, "region \(region.name) wraps around")
        let id = RegionID(value: nextID)
        nextID += 1
        entries.append(Entry(id: id, region: region))
        return id
    }

    /// Grants a region given by name, base, size and permissions.
    @discardableResult
    public func grant(
        name: String, base: UInt64, size: UInt64, permissions: MemoryRegion.Permissions
    ) -> RegionID {
        grant(MemoryRegion(name: name, base: base, size: size, permissions: permissions))
    }

    /// Revokes a region; returns it, or nil if the handle was already revoked.
    @discardableResult
    public func revoke(_ id: RegionID) -> MemoryRegion? {
        guard let i = entries.firstIndex(where: { $0.id == id }) else { return nil }
        return entries.remove(at: i).region
    }

    /// Revokes every region.
    public func removeAll() {
        entries.removeAll(keepingCapacity: true)
    }

    /// The most recently granted region holding `size` bytes at `address` with at least `permissions`.
    public func region(
        containing address: UInt64, size: UInt64, permissions: MemoryRegion.Permissions
    ) -> MemoryRegion? {
        var i = entries.count
        while i > 0 {
            i -= 1
            let r = entries[i].region
            if r.permissions.isSuperset(of: permissions) && r.contains(address: address, size: size) { return r }
        }
        return nil
    }

    /// The region closest to `address` (containing it, or at the smallest distance), for error messages.
    func nearest(to address: UInt64) -> MemoryRegion? {
        var best: MemoryRegion?
        var bestDistance = UInt64.max
        for entry in entries {
            let r = entry.region
            let d: UInt64 = address < r.base ? r.base - address : (address < r.end ? 0 : address - r.end + 1)
            if d < bestDistance {
                best = r
                bestDistance = d
            }
        }
        return best
    }
}
