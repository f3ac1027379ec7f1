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

    /// Whether the `size` bytes at `address` lie inside the region.
    public func contains(_ address: UInt64, size: UInt64) -> Bool {
        address >= base && size <= self.size && address - base <= self.size - size
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

/// The regions a program may access besides its stack. Host functions may grant and revoke regions during a run;
/// the host may change it between runs. Every change bumps `generation`, which is how an interpreter knows its
/// cached regions are still granted (it re-checks after every host call and at the start of every run).
///
/// Not thread-safe: mutate it only from the thread running the program (or between runs).
public final class MemoryMap {
    struct Entry {
        var id: RegionID
        var region: MemoryRegion
    }

    /// What a lookup needs of a region, without its name: searched on every interpreter cache miss.
    package struct Bounds {
        package var base: UInt64
        package var size: UInt64
        package var permissions: MemoryRegion.Permissions
    }

    /// Names and handles, parallel to `table` (only errors and `regions` read them).
    private(set) var entries: [Entry] = []
    // The scalar table and counters are read on the interpreter's miss path. They are touched only by this
    // class's own methods, which call out to nothing while an access is in progress, and the map is used from
    // one thread at a time, so accesses never overlap: the dynamic exclusivity checks are skipped.
    @exclusivity(unchecked) private var table: UnsafeMutablePointer<Bounds>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private var count = 0
    /// Bumped by every grant, revoke and `removeAll`; never 0 (an interpreter's "no cache" tag).
    ///
    /// Read through this accessor rather than the stored word: another module accessing an
    /// `@exclusivity(unchecked)` property directly still gets a dynamic exclusivity check (~75 instructions),
    /// and the engines read it after every host call. Inlinable, so the JIT's runner reads the word in place.
    @inlinable package var generation: UInt64 { currentGeneration }
    @usableFromInline @exclusivity(unchecked) var currentGeneration: UInt64 = 1
    private var nextID: UInt64 = 1

    /// Creates an empty map.
    public init() {
        capacity = 8
        table = .allocate(capacity: capacity)
    }

    deinit { table.deallocate() }

    /// The granted regions, in grant order.
    public var regions: [MemoryRegion] { entries.map(\.region) }

    /// Grants access to a region; returns a handle to revoke it.
    /// A region must not wrap around the end of the address space (a host bug, so it traps).
    @discardableResult
    public func grant(_ region: MemoryRegion) -> RegionID {
        precondition(!region.base.addingReportingOverflow(region.size).overflow, "region \(region.name) wraps around")
        let id = RegionID(value: nextID)
        nextID += 1
        if count == capacity {
            let bigger = UnsafeMutablePointer<Bounds>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: table, count: count)
            table.deallocate()
            table = bigger
            capacity *= 2
        }
        (table + count).initialize(to: Bounds(base: region.base, size: region.size, permissions: region.permissions))
        count += 1
        entries.append(Entry(id: id, region: region))
        currentGeneration &+= 1
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
        (table + i).moveUpdate(from: table + i + 1, count: count - i - 1)
        count -= 1
        currentGeneration &+= 1
        return entries.remove(at: i).region
    }

    /// Revokes every region.
    public func removeAll() {
        entries.removeAll(keepingCapacity: true)
        count = 0
        currentGeneration &+= 1
    }

    /// The most recently granted region holding `size` bytes at `address` with at least `permissions`.
    public func region(
        containing address: UInt64, size: UInt64, permissions: MemoryRegion.Permissions
    ) -> MemoryRegion? {
        index(containing: address, size: size, permissions: permissions).map { entries[$0].region }
    }

    /// Index (in grant order) of the most recently granted region holding `size` bytes at `address` with at least
    /// `permissions`.
    package func index(containing address: UInt64, size: UInt64, permissions: MemoryRegion.Permissions) -> Int? {
        var i = count
        while i > 0 {
            i -= 1
            let b = table[i]
            if b.permissions.isSuperset(of: permissions) && address >= b.base && size <= b.size
                && address - b.base <= b.size - size
            {
                return i
            }
        }
        return nil
    }

    /// Bounds of the region at `index` (from `index(containing:size:permissions:)`).
    package func bounds(at index: Int) -> Bounds { table[index] }

    /// The region closest to `address` (containing it, or at the smallest distance), for error messages.
    package func nearest(to address: UInt64) -> MemoryRegion? {
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

extension MemoryMap {
    /// The error for a `size`-byte access of `kind` at `address`, by the instruction at `index`, that neither
    /// `stack` nor a granted region allows: it names the nearest region, the stack included. `stack` is the part
    /// of the stack the program may reach (its current frame and its callers'), so an address below the frame is
    /// not reported as inside the stack.
    package func violation(
        address: UInt64, size: UInt64, kind: AccessKind, at index: Int, stack: MemoryRegion
    ) -> RuntimeError {
        func distance(_ r: MemoryRegion) -> UInt64 {
            address < r.base ? r.base - address : (address < r.end ? 0 : address - r.end + 1)
        }
        var nearest = self.nearest(to: address)
        if let n = nearest {
            if distance(stack) < distance(n) { nearest = stack }
        } else {
            nearest = stack
        }
        return RuntimeError(
            index: index, reason: .memoryViolation(address: address, size: Int(size), kind: kind, nearest: nearest))
    }
}
