import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The whole contents of the file at `path`, read with plain `open`/`read` (Foundation's `FileManager.contents`
/// leaks a page for an empty file, and cannot say why a read failed).
///
/// Works for files whose size `stat` does not report, such as those in sysfs.
public func fileContents(atPath path: String) throws(Errno) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw Errno(rawValue: errno) }
    defer { close(fd) }
    var status = stat()
    let sizeHint = fstat(fd, &status) == 0 ? Int(status.st_size) : 0
    var result: [UInt8] = []
    result.reserveCapacity(max(sizeHint, 0) + 1)
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw Errno(rawValue: errno)
        }
        if count == 0 { return result }
        result += chunk[..<count]
    }
}
