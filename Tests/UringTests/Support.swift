import Foundation
import Glibc
import SystemPackage
import Testing
@testable import Uring

/// Whether io_uring can be used here at all; tests skip (with this reason) only when it cannot.
enum UringAvailability {
    static let reason: String? = {
        if let text = try? String(contentsOfFile: "/proc/sys/kernel/io_uring_disabled", encoding: .utf8),
           text.trimmingCharacters(in: .whitespacesAndNewlines) == "2" {
            return "io_uring is disabled (/proc/sys/kernel/io_uring_disabled = 2)"
        }
        do {
            _ = try IoUring(entries: 2)
            return nil
        } catch let error as UringError where error.errno == .notPermitted || error.errno == .noFunction {
            return "io_uring is disabled here: \(error)"
        } catch {
            return nil  // Any other failure is a real failure the tests should show.
        }
    }()

    static var available: Bool { reason == nil }
}

extension Trait where Self == ConditionTrait {
    /// Skips the test only when io_uring itself is disabled on this machine.
    static var requiresUring: Self {
        .enabled(if: UringAvailability.available, Comment(rawValue: UringAvailability.reason ?? ""))
    }
}

/// Pushes `entries`, submits, and waits for `expecting` completions (default: one per entry), in arrival order.
func run(_ ring: inout IoUring, _ entries: [SubmissionQueueEntry], expecting: Int? = nil)
    throws -> [CompletionQueueEntry] {
    for entry in entries { try ring.push(entry) }
    let wanted = expecting ?? entries.count
    var completions: [CompletionQueueEntry] = []
    try ring.submit()
    while completions.count < wanted {
        completions.append(try ring.waitCompletion())
    }
    return completions
}

/// A temporary file, removed on deinit.
final class TemporaryFile {
    let path: String
    let fd: FileDescriptor

    init(contents: [UInt8] = []) throws {
        var template = Array("/tmp/uring-test-XXXXXX".utf8CString)
        let raw = mkstemp(&template)
        guard raw >= 0 else { throw Errno(rawValue: errno) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        fd = FileDescriptor(rawValue: raw)
        if !contents.isEmpty {
            _ = try contents.withUnsafeBytes { try fd.write(toAbsoluteOffset: 0, $0) }
        }
    }

    func contents() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let count = try buffer.withUnsafeMutableBytes { try fd.read(fromAbsoluteOffset: 0, into: $0) }
        return Array(buffer[0..<count])
    }

    deinit {
        try? fd.close()
        unlink(path)
    }
}

/// A temporary directory, removed (with its files) on deinit.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/uring-dir-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw Errno(rawValue: errno) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let full = path + "/" + name
                if unlink(full) != 0 { rmdir(full) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

/// A connected pair of Unix stream sockets.
func socketPair() throws -> (FileDescriptor, FileDescriptor) {
    var fds: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw Errno(rawValue: errno) }
    return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
}

/// A pipe (read end, write end).
func makePipe() throws -> (read: FileDescriptor, write: FileDescriptor) {
    let pipe = try FileDescriptor.pipe()
    return (pipe.readEnd, pipe.writeEnd)
}

/// Errno as the negative CQE result.
func negative(_ errno: Errno) -> Int32 { -errno.rawValue }

/// Monotonic now in nanoseconds.
func now() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}

/// eventfd(2), looked up at run time because Swift's Glibc module does not export sys/eventfd.h.
func makeEventFD() -> Int32 {
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "eventfd") else { return -1 }
    return unsafeBitCast(symbol, to: EventFD.self)(0, 0)
}
