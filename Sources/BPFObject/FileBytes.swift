#if canImport(Glibc)
import Glibc
#endif

/// A file that could not be read: the `errno` of the failed `open` or `read`.
package struct FileReadError: Error {
    package let errno: Int32

    /// The C library's message for `errno` ("No such file or directory").
    package var message: String { String(cString: strerror(errno)) }
}

/// The whole contents of the file at `path`, read with plain `open`/`read`, also for a file whose size `stat`
/// does not report (sysfs). Not `FileManager.contents`: it leaks a page for an empty file and cannot say why a
/// read failed. (Here rather than in `SystemSupport`, so the object reader needs no swift-system.)
package func fileBytes(atPath path: String) throws(FileReadError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileReadError(errno: errno) }
    defer { close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw FileReadError(errno: errno)
        }
        if count == 0 { return result }
        result += chunk[..<count]
    }
}
