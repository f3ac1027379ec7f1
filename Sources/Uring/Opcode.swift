/// An io_uring operation code (`IORING_OP_*`).
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The opcode number.
    public var rawValue: UInt8
    /// The opcode with this number.
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `IORING_OP_NOP` (0).
    public static let nop = Opcode(rawValue: 0)
    /// `IORING_OP_READV` (1).
    public static let readv = Opcode(rawValue: 1)
    /// `IORING_OP_WRITEV` (2).
    public static let writev = Opcode(rawValue: 2)
    /// `IORING_OP_FSYNC` (3).
    public static let fsync = Opcode(rawValue: 3)
    /// `IORING_OP_READ_FIXED` (4).
    public static let readFixed = Opcode(rawValue: 4)
    /// `IORING_OP_WRITE_FIXED` (5).
    public static let writeFixed = Opcode(rawValue: 5)
    /// `IORING_OP_POLL_ADD` (6).
    public static let pollAdd = Opcode(rawValue: 6)
    /// `IORING_OP_POLL_REMOVE` (7).
    public static let pollRemove = Opcode(rawValue: 7)
    /// `IORING_OP_SYNC_FILE_RANGE` (8).
    public static let syncFileRange = Opcode(rawValue: 8)
    /// `IORING_OP_SENDMSG` (9).
    public static let sendmsg = Opcode(rawValue: 9)
    /// `IORING_OP_RECVMSG` (10).
    public static let recvmsg = Opcode(rawValue: 10)
    /// `IORING_OP_TIMEOUT` (11).
    public static let timeout = Opcode(rawValue: 11)
    /// `IORING_OP_TIMEOUT_REMOVE` (12).
    public static let timeoutRemove = Opcode(rawValue: 12)
    /// `IORING_OP_ACCEPT` (13).
    public static let accept = Opcode(rawValue: 13)
    /// `IORING_OP_ASYNC_CANCEL` (14).
    public static let asyncCancel = Opcode(rawValue: 14)
    /// `IORING_OP_LINK_TIMEOUT` (15).
    public static let linkTimeout = Opcode(rawValue: 15)
    /// `IORING_OP_CONNECT` (16).
    public static let connect = Opcode(rawValue: 16)
    /// `IORING_OP_FALLOCATE` (17).
    public static let fallocate = Opcode(rawValue: 17)
    /// `IORING_OP_OPENAT` (18).
    public static let openat = Opcode(rawValue: 18)
    /// `IORING_OP_CLOSE` (19).
    public static let close = Opcode(rawValue: 19)
    /// `IORING_OP_FILES_UPDATE` (20).
    public static let filesUpdate = Opcode(rawValue: 20)
    /// `IORING_OP_STATX` (21).
    public static let statx = Opcode(rawValue: 21)
    /// `IORING_OP_READ` (22).
    public static let read = Opcode(rawValue: 22)
    /// `IORING_OP_WRITE` (23).
    public static let write = Opcode(rawValue: 23)
    /// `IORING_OP_FADVISE` (24).
    public static let fadvise = Opcode(rawValue: 24)
    /// `IORING_OP_MADVISE` (25).
    public static let madvise = Opcode(rawValue: 25)
    /// `IORING_OP_SEND` (26).
    public static let send = Opcode(rawValue: 26)
    /// `IORING_OP_RECV` (27).
    public static let recv = Opcode(rawValue: 27)
    /// `IORING_OP_OPENAT2` (28).
    public static let openat2 = Opcode(rawValue: 28)
    /// `IORING_OP_EPOLL_CTL` (29).
    public static let epollCtl = Opcode(rawValue: 29)
    /// `IORING_OP_SPLICE` (30).
    public static let splice = Opcode(rawValue: 30)
    /// `IORING_OP_PROVIDE_BUFFERS` (31).
    public static let provideBuffers = Opcode(rawValue: 31)
    /// `IORING_OP_REMOVE_BUFFERS` (32).
    public static let removeBuffers = Opcode(rawValue: 32)
    /// `IORING_OP_TEE` (33).
    public static let tee = Opcode(rawValue: 33)
    /// `IORING_OP_SHUTDOWN` (34).
    public static let shutdown = Opcode(rawValue: 34)
    /// `IORING_OP_RENAMEAT` (35).
    public static let renameat = Opcode(rawValue: 35)
    /// `IORING_OP_UNLINKAT` (36).
    public static let unlinkat = Opcode(rawValue: 36)
    /// `IORING_OP_MKDIRAT` (37).
    public static let mkdirat = Opcode(rawValue: 37)
    /// `IORING_OP_SYMLINKAT` (38).
    public static let symlinkat = Opcode(rawValue: 38)
    /// `IORING_OP_LINKAT` (39).
    public static let linkat = Opcode(rawValue: 39)
    /// `IORING_OP_MSG_RING` (40).
    public static let msgRing = Opcode(rawValue: 40)
    /// `IORING_OP_FSETXATTR` (41).
    public static let fsetxattr = Opcode(rawValue: 41)
    /// `IORING_OP_SETXATTR` (42).
    public static let setxattr = Opcode(rawValue: 42)
    /// `IORING_OP_FGETXATTR` (43).
    public static let fgetxattr = Opcode(rawValue: 43)
    /// `IORING_OP_GETXATTR` (44).
    public static let getxattr = Opcode(rawValue: 44)
    /// `IORING_OP_SOCKET` (45).
    public static let socket = Opcode(rawValue: 45)
    /// `IORING_OP_URING_CMD` (46).
    public static let uringCmd = Opcode(rawValue: 46)
    /// `IORING_OP_SEND_ZC` (47).
    public static let sendZC = Opcode(rawValue: 47)
    /// `IORING_OP_SENDMSG_ZC` (48).
    public static let sendmsgZC = Opcode(rawValue: 48)
    /// `IORING_OP_READ_MULTISHOT` (49).
    public static let readMultishot = Opcode(rawValue: 49)
    /// `IORING_OP_WAITID` (50).
    public static let waitid = Opcode(rawValue: 50)
    /// `IORING_OP_FUTEX_WAIT` (51).
    public static let futexWait = Opcode(rawValue: 51)
    /// `IORING_OP_FUTEX_WAKE` (52).
    public static let futexWake = Opcode(rawValue: 52)
    /// `IORING_OP_FUTEX_WAITV` (53).
    public static let futexWaitv = Opcode(rawValue: 53)
    /// `IORING_OP_FIXED_FD_INSTALL` (54).
    public static let fixedFDInstall = Opcode(rawValue: 54)
    /// `IORING_OP_FTRUNCATE` (55).
    public static let ftruncate = Opcode(rawValue: 55)
    /// `IORING_OP_BIND` (56).
    public static let bind = Opcode(rawValue: 56)
    /// `IORING_OP_LISTEN` (57).
    public static let listen = Opcode(rawValue: 57)
    /// `IORING_OP_RECV_ZC` (58).
    public static let recvZC = Opcode(rawValue: 58)
    /// `IORING_OP_EPOLL_WAIT` (59).
    public static let epollWait = Opcode(rawValue: 59)
    /// `IORING_OP_READV_FIXED` (60).
    public static let readvFixed = Opcode(rawValue: 60)
    /// `IORING_OP_WRITEV_FIXED` (61).
    public static let writevFixed = Opcode(rawValue: 61)
    /// `IORING_OP_PIPE` (62).
    public static let pipe = Opcode(rawValue: 62)

    /// Kernel names (`IORING_OP_` stripped), indexed by opcode number.
    public static let kernelNames: [String] = [
        "NOP", "READV", "WRITEV", "FSYNC", "READ_FIXED", "WRITE_FIXED", "POLL_ADD", "POLL_REMOVE",
        "SYNC_FILE_RANGE", "SENDMSG", "RECVMSG", "TIMEOUT", "TIMEOUT_REMOVE", "ACCEPT", "ASYNC_CANCEL",
        "LINK_TIMEOUT", "CONNECT", "FALLOCATE", "OPENAT", "CLOSE", "FILES_UPDATE", "STATX", "READ", "WRITE",
        "FADVISE", "MADVISE", "SEND", "RECV", "OPENAT2", "EPOLL_CTL", "SPLICE", "PROVIDE_BUFFERS",
        "REMOVE_BUFFERS", "TEE", "SHUTDOWN", "RENAMEAT", "UNLINKAT", "MKDIRAT", "SYMLINKAT", "LINKAT", "MSG_RING",
        "FSETXATTR", "SETXATTR", "FGETXATTR", "GETXATTR", "SOCKET", "URING_CMD", "SEND_ZC", "SENDMSG_ZC",
        "READ_MULTISHOT", "WAITID", "FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_WAITV", "FIXED_FD_INSTALL", "FTRUNCATE",
        "BIND", "LISTEN", "RECV_ZC", "EPOLL_WAIT", "READV_FIXED", "WRITEV_FIXED", "PIPE",
    ]

    /// The kernel name, e.g. `"READ_FIXED"`; `"OP_70"` for opcodes newer than this library.
    public var name: String {
        Int(rawValue) < Self.kernelNames.count ? Self.kernelNames[Int(rawValue)] : "OP_\(rawValue)"
    }

    /// The kernel name.
    public var description: String { name }
}
