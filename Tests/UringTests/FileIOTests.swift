import Glibc
import SystemPackage
import Testing
@testable import Uring

/// Ported from liburing's read-write, short-read, fixed-buf-iter, file-register, file-update and open/statx tests.
@Suite(.requiresUring, .timeLimit(.minutes(1))) struct FileIOTests {
    let pattern: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }

    @Test func writeThenReadAtOffsets() throws {
        var ring = try IoUring(entries: 8)
        let file = try TemporaryFile()
        var input = pattern
        let written = try input.withUnsafeMutableBytes { bytes in
            try run(&ring, [
                Write(file: .fd(file.fd), buffer: bytes.baseAddress, length: 2048, offset: 0).build().withUserData(1),
                Write(file: .fd(file.fd), buffer: bytes.baseAddress! + 2048, length: 2048, offset: 2048).build()
                    .withUserData(2),
            ])
        }
        #expect(written.allSatisfy { $0.result == 2048 })
        #expect(try file.contents() == pattern)
        var output = [UInt8](repeating: 0, count: 100)
        let read = try output.withUnsafeMutableBytes { bytes in
            try run(&ring, [Read(file: .fd(file.fd), buffer: bytes.baseAddress, length: 100, offset: 1000).build()])
        }
        #expect(read.first?.result == 100)
        #expect(output == Array(pattern[1000..<1100]))
    }

    @Test func shortReadReturnsWhatIsThere() throws {
        var ring = try IoUring(entries: 4)
        let file = try TemporaryFile(contents: Array(pattern.prefix(10)))
        var output = [UInt8](repeating: 0, count: 100)
        let completions = try output.withUnsafeMutableBytes { bytes in
            try run(&ring, [
                Read(file: .fd(file.fd), buffer: bytes.baseAddress, length: 100).build(),
                Read(file: .fd(file.fd), buffer: bytes.baseAddress, length: 100, offset: 10).build().withUserData(1),
            ])
        }
        #expect(completions.first { $0.userData == 0 }?.result == 10)
        #expect(completions.first { $0.userData == 1 }?.result == 0, "reading at EOF returns 0")
        #expect(Array(output.prefix(10)) == Array(pattern.prefix(10)))
    }

    @Test func readvAndWritevScatterGather() throws {
        var ring = try IoUring(entries: 4)
        let file = try TemporaryFile()
        var first = Array(pattern[0..<100])
        var second = Array(pattern[100..<300])
        let wrote = try first.withUnsafeMutableBytes { a in
            try second.withUnsafeMutableBytes { b in
                let vectors = [iovec(iov_base: a.baseAddress, iov_len: 100), iovec(iov_base: b.baseAddress, iov_len: 200)]
                return try vectors.withUnsafeBufferPointer { vectorsPointer in
                    try run(&ring, [Writev(file: .fd(file.fd), vectors: vectorsPointer.baseAddress, count: 2).build()])
                }
            }
        }
        #expect(wrote.first?.result == 300)
        var x = [UInt8](repeating: 0, count: 50)
        var y = [UInt8](repeating: 0, count: 250)
        let read = try x.withUnsafeMutableBytes { a in
            try y.withUnsafeMutableBytes { b in
                let vectors = [iovec(iov_base: a.baseAddress, iov_len: 50), iovec(iov_base: b.baseAddress, iov_len: 250)]
                return try vectors.withUnsafeBufferPointer { vectorsPointer in
                    try run(&ring, [Readv(file: .fd(file.fd), vectors: vectorsPointer.baseAddress, count: 2).build()])
                }
            }
        }
        #expect(read.first?.result == 300)
        #expect(x + y == Array(pattern[0..<300]))
    }

    @Test func fixedBuffersAndFixedFiles() throws {
        var ring = try IoUring(entries: 8)
        let file = try TemporaryFile()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 4096)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: pattern + pattern)
        try ring.registerBuffers([buffer])
        try ring.registerFiles([file.fd])
        let wrote = try run(&ring, [
            WriteFixed(file: .fixed(0), buffer: buffer.baseAddress! + 4096, length: 4096, bufferIndex: 0).build(),
        ])
        #expect(wrote.first?.result == 4096)
        #expect(try file.contents() == pattern)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        let read = try run(&ring, [
            ReadFixed(file: .fixed(0), buffer: buffer.baseAddress! + 100, length: 1000, offset: 5, bufferIndex: 0)
                .build(),
        ])
        #expect(read.first?.result == 1000)
        #expect(Array(buffer[100..<1100]) == Array(pattern[5..<1005]))
        // Outside the registered buffer: rejected.
        let outside = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        defer { outside.deallocate() }
        let bad = try run(&ring, [ReadFixed(file: .fixed(0), buffer: outside, length: 64, bufferIndex: 0).build()])
        #expect(bad.first?.result == negative(.badAddress))
        try ring.unregisterBuffers()
        try ring.unregisterFiles()
    }

    @Test func sparseTablesAndUpdates() throws {
        var ring = try IoUring(entries: 8)
        let file = try TemporaryFile(contents: pattern)
        try ring.registerSparseFiles(count: 4)
        try ring.registerSparseBuffers(count: 2)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 4096)
        defer { buffer.deallocate() }
        // Empty slots fail.
        let empty = try run(&ring, [Read(file: .fixed(2), buffer: buffer.baseAddress, length: 16).build()])
        #expect(empty.first?.result == negative(.badFileDescriptor))
        #expect(try ring.updateFiles(at: 2, [file.fd.rawValue]) == 1)
        try ring.updateBuffers(at: 1, [buffer])
        let read = try run(&ring, [
            ReadFixed(file: .fixed(2), buffer: buffer.baseAddress, length: 4096, bufferIndex: 1).build(),
        ])
        #expect(read.first?.result == 4096)
        #expect(Array(buffer) == pattern)
        // Clearing the slot makes it fail again.
        try ring.updateFiles(at: 2, [-1])
        let cleared = try run(&ring, [Read(file: .fixed(2), buffer: buffer.baseAddress, length: 16).build()])
        #expect(cleared.first?.result == negative(.badFileDescriptor))
    }

    @Test func openStatxClose() throws {
        var ring = try IoUring(entries: 4)
        let file = try TemporaryFile(contents: Array(pattern.prefix(1234)))
        let opened = try file.path.withCString { path in
            try run(&ring, [OpenAt(path: path, flags: O_RDONLY).build()])
        }
        let fd = try #require(opened.first?.result)
        #expect(fd >= 0)
        var statx = [UInt8](repeating: 0, count: 256)
        let stat = try file.path.withCString { path in
            try statx.withUnsafeMutableBytes { bytes in
                try run(&ring, [Statx(path: path, mask: 0x200 /* STATX_SIZE */, result: bytes.baseAddress).build()])
            }
        }
        #expect(stat.first?.result == 0)
        let size = statx.withUnsafeBytes { $0.load(fromByteOffset: 40, as: UInt64.self) }
        #expect(size == 1234)
        var byte: UInt8 = 0
        #expect(Glibc.read(fd, &byte, 1) == 1)
        let closed = try run(&ring, [Close(file: .fd(FileDescriptor(rawValue: fd))).build()])
        #expect(closed.first?.result == 0)
        #expect(Glibc.read(fd, &byte, 1) == -1 && errno == EBADF)
        let missing = try "/nonexistent/uring".withCString { path in
            try run(&ring, [OpenAt(path: path, flags: O_RDONLY).build()])
        }
        #expect(missing.first?.result == negative(.noSuchFileOrDirectory))
    }

    @Test func openIntoFixedSlotAndCloseIt() throws {
        var ring = try IoUring(entries: 4)
        let file = try TemporaryFile(contents: pattern)
        try ring.registerSparseFiles(count: 2)
        let opened = try file.path.withCString { path in
            try run(&ring, [OpenAt(path: path, flags: O_RDONLY, destination: .fixedSlot(1)).build()])
        }
        #expect(opened.first?.result == 0)
        var output = [UInt8](repeating: 0, count: 8)
        let read = try output.withUnsafeMutableBytes { bytes in
            try run(&ring, [Read(file: .fixed(1), buffer: bytes.baseAddress, length: 8).build()])
        }
        #expect(read.first?.result == 8)
        #expect(output == Array(pattern.prefix(8)))
        let installed = try run(&ring, [FixedFdInstall(slot: 1).build()])
        let fd = try #require(installed.first?.result)
        #expect(fd >= 0)
        close(fd)
        #expect(try run(&ring, [Close(file: .fixed(1)).build()]).first?.result == 0)
        #expect(try run(&ring, [Read(file: .fixed(1), buffer: nil, length: 0).build()]).first?.result
            == negative(.badFileDescriptor))
    }
}
