import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reading a file named on the command line. Only regular files are opened: reading a FIFO or a device could block
/// or never end, so those are refused with what they are.
enum RegularFile {
    /// The bytes of the regular file at `path`, or why there are none.
    static func read(_ path: String) throws(RegularFileError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw RegularFileError(path: path, reason: String(cString: strerror(errno)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw RegularFileError(path: path, reason: "is a directory")
        case S_IFIFO: throw RegularFileError(path: path, reason: "is not a regular file (a FIFO)")
        case S_IFCHR: throw RegularFileError(path: path, reason: "is not a regular file (a character device)")
        case S_IFBLK: throw RegularFileError(path: path, reason: "is not a regular file (a block device)")
        case S_IFSOCK: throw RegularFileError(path: path, reason: "is not a regular file (a socket)")
        default: throw RegularFileError(path: path, reason: "is not a regular file")
        }
        // read(2), not FileManager.contents(atPath:), which leaks its buffer on an empty file.
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RegularFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw RegularFileError(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))") }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    /// Creates (or truncates) the file at `path` with `bytes`, without the `fsync` of Foundation's atomic writes:
    /// the workloads create thousands of files that only need to be read back.
    static func create(_ path: String, contents bytes: [UInt8]) throws(RegularFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RegularFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            guard n > 0 else { throw RegularFileError(path: path, reason: String(cString: strerror(errno))) }
            written += n
        }
    }
}

/// Why a file named on the command line could not be read: `PATH is a directory`, `PATH: No such file ...`.
struct RegularFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { reason.hasPrefix("is ") || reason.hasPrefix("cannot") ? "\(path) \(reason)" : "\(path): \(reason)" }
}
