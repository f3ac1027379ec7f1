import Glibc
import SystemPackage
import Testing
@testable import Uring

/// Each remaining opcode type run once on the real kernel, checked against what the syscall it mirrors does.
@Suite(.requiresUring, .timeLimit(.minutes(1))) struct OperationTests {
    @Test func directoryOperations() throws {
        var ring = try IoUring(entries: 8)
        let directory = try TemporaryDirectory()
        let sub = directory.file("sub"), target = directory.file("target"), link = directory.file("link")
        let hard = directory.file("hard"), renamed = directory.file("renamed")
        let created = open(target, O_CREAT | O_WRONLY, 0o644)
        close(created)
        let results = try sub.withCString { subPath in
            try target.withCString { targetPath in
                try link.withCString { linkPath in
                    try hard.withCString { hardPath in
                        try renamed.withCString { renamedPath in
                            try run(&ring, [
                                MkdirAt(path: subPath, mode: 0o700).build().withUserData(1).withFlags(.ioLink),
                                SymlinkAt(target: targetPath, linkPath: linkPath).build().withUserData(2)
                                    .withFlags(.ioLink),
                                LinkAt(oldPath: targetPath, newPath: hardPath).build().withUserData(3)
                                    .withFlags(.ioLink),
                                RenameAt(oldPath: hardPath, newPath: renamedPath).build().withUserData(4)
                                    .withFlags(.ioLink),
                                UnlinkAt(path: subPath, flags: AT_REMOVEDIR).build().withUserData(5),
                            ])
                        }
                    }
                }
            }
        }
        #expect(results.map(\.result) == [0, 0, 0, 0, 0])
        var info = stat()
        #expect(lstat(link, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
        #expect(stat(renamed, &info) == 0 && info.st_nlink == 2)
        #expect(stat(hard, &info) == -1)
        #expect(stat(sub, &info) == -1, "the directory was made, then removed")
    }

    @Test func fileSpaceOperations() throws {
        var ring = try IoUring(entries: 8)
        let file = try TemporaryFile()
        let results = try run(&ring, [
            Fallocate(file: .fd(file.fd), offset: 0, length: 8192).build().withUserData(1).withFlags(.ioLink),
            Fsync(file: .fd(file.fd), dataOnly: true).build().withUserData(2).withFlags(.ioLink),
            SyncFileRange(file: .fd(file.fd), offset: 0, length: 4096).build().withUserData(3).withFlags(.ioLink),
            Fadvise(file: .fd(file.fd), offset: 0, length: 4096, advice: POSIX_FADV_SEQUENTIAL).build()
                .withUserData(4),
        ])
        #expect(results.map(\.result) == [0, 0, 0, 0])
        var info = stat()
        #expect(fstat(file.fd.rawValue, &info) == 0 && info.st_size == 8192)
        #expect(try run(&ring, [Ftruncate(file: .fd(file.fd), length: 100).build()]).first?.result == 0)
        #expect(fstat(file.fd.rawValue, &info) == 0 && info.st_size == 100)
        let memory = mmap(nil, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        defer { munmap(memory, 4096) }
        #expect(try run(&ring, [Madvise(memory: memory, length: 4096, advice: MADV_WILLNEED).build()]).first?.result
            == 0)
    }

    @Test func openat2WithOpenHow() throws {
        var ring = try IoUring(entries: 4)
        let file = try TemporaryFile(contents: [1, 2, 3])
        // struct open_how { u64 flags; u64 mode; u64 resolve; }
        var how: (UInt64, UInt64, UInt64) = (UInt64(O_RDONLY), 0, 0)
        let opened = try file.path.withCString { path in
            try withUnsafeBytes(of: &how) { howBytes in
                try run(&ring, [OpenAt2(path: path, how: howBytes.baseAddress).build()])
            }
        }
        let fd = try #require(opened.first?.result)
        #expect(fd >= 0)
        close(fd)
    }

    @Test func spliceAndTeeMoveData() throws {
        var ring = try IoUring(entries: 8)
        let first = try makePipe(), second = try makePipe()
        defer { for end in [first.read, first.write, second.read, second.write] { try? end.close() } }
        let file = try TemporaryFile()
        let data = Array("spliced bytes".utf8)
        _ = try data.withUnsafeBytes { try first.write.write($0) }
        let teed = try run(&ring, [Tee(input: .fd(first.read), output: .fd(second.write), length: 64).build()])
        #expect(teed.first?.result == Int32(data.count))
        let spliced = try run(&ring, [
            Splice(input: .fd(first.read), output: .fd(file.fd), outputOffset: 0, length: 64).build(),
        ])
        #expect(spliced.first?.result == Int32(data.count))
        #expect(try file.contents() == data)
        var copy = [UInt8](repeating: 0, count: data.count)
        #expect(read(second.read.rawValue, &copy, copy.count) == data.count)
        #expect(copy == data, "tee duplicated the pipe contents")
    }

    @Test func futexWaitAndWake() throws {
        var ring = try IoUring(entries: 4)
        let word = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        defer { word.deallocate() }
        word.pointee = 5
        let mismatch = try run(&ring, [FutexWait(futex: word, expected: 4).build()])
        #expect(mismatch.first?.result == negative(.resourceTemporarilyUnavailable))
        try ring.push(FutexWait(futex: word, expected: 5).build().withUserData(1))
        try ring.submit()
        let results = try run(&ring, [FutexWake(futex: word, count: 1).build().withUserData(2)], expecting: 2)
        let byUserData = Dictionary(uniqueKeysWithValues: results.map { ($0.userData, $0.result) })
        #expect(byUserData == [1: 0, 2: 1])
    }

    @Test func waitidReapsAChild() throws {
        var ring = try IoUring(entries: 4)
        var pid: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { arguments.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, arguments, environ) == 0)
        var info = siginfo_t()
        let results = try withUnsafeMutableBytes(of: &info) { bytes in
            try run(&ring, [WaitID(idType: P_PID.rawValue, id: pid, info: bytes.baseAddress, options: WEXITED).build()])
        }
        #expect(results.first?.result == 0)
        #expect(info.si_signo == SIGCHLD)
    }

    @Test func classicProvidedBuffers() throws {
        var ring = try IoUring(entries: 8)
        let pipe = try makePipe()
        defer { try? pipe.read.close(); try? pipe.write.close() }
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 * 32, alignment: 8)
        defer { memory.deallocate() }
        let provided = try run(&ring, [
            ProvideBuffers(memory: memory.baseAddress, bufferLength: 32, count: 4, group: 3, firstID: 10).build(),
        ])
        #expect(provided.first?.result == 0)
        _ = try Array("abc".utf8).withUnsafeBytes { try pipe.write.write($0) }
        let read = try run(&ring, [Read(file: .fd(pipe.read), buffer: nil, length: 32, bufferGroup: 3).build()])
        let completion = try #require(read.first)
        #expect(completion.result == 3)
        let id = try #require(completion.bufferID)
        #expect((10..<14).contains(id))
        #expect(Array(memory[(Int(id) - 10) * 32..<(Int(id) - 10) * 32 + 3]) == Array("abc".utf8))
        let removed = try run(&ring, [RemoveBuffers(count: 10, group: 3).build()])
        #expect(removed.first?.result == 3, "three buffers were left in the group")
    }

    @Test func filesUpdateAndSocketIntoFixedSlot() throws {
        var ring = try IoUring(entries: 4)
        try ring.registerSparseFiles(count: 4)
        let file = try TemporaryFile(contents: [42])
        var descriptors: [Int32] = [file.fd.rawValue]
        let updated = try descriptors.withUnsafeMutableBufferPointer { pointer in
            try run(&ring, [FilesUpdate(descriptors: pointer.baseAddress, count: 1, offset: 2).build()])
        }
        #expect(updated.first?.result == 1)
        var byte: UInt8 = 0
        let read = try run(&ring, [Read(file: .fixed(2), buffer: &byte, length: 1).build()])
        #expect(read.first?.result == 1 && byte == 42)
        let socketSlot = try run(&ring, [
            Socket(domain: AF_UNIX, type: Int32(SOCK_STREAM.rawValue), destination: .allocateFixed).build(),
        ])
        let slot = try #require(socketSlot.first?.result)
        #expect(slot >= 0 && slot < 4 && slot != 2, "allocated a free slot")
    }
}
