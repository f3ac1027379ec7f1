import Testing
@testable import Uring

/// Ported from liburing's probe test.
@Suite(.requiresUring, .timeLimit(.minutes(1))) struct ProbeTests {
    /// Every opcode this library prepares, by its type.
    nonisolated(unsafe) static let operationTypes: [any SubmissionOperation.Type] = [
        Nop.self, Read.self, Write.self, Readv.self, Writev.self, ReadFixed.self, WriteFixed.self, Fsync.self,
        SyncFileRange.self, Fallocate.self, Fadvise.self, Madvise.self, OpenAt.self, OpenAt2.self, Close.self,
        Statx.self, UnlinkAt.self, RenameAt.self, MkdirAt.self, SymlinkAt.self, LinkAt.self, Timeout.self,
        TimeoutRemove.self, TimeoutUpdate.self, LinkTimeout.self, PollAdd.self, PollRemove.self, AsyncCancel.self,
        Accept.self, Connect.self, Send.self, Recv.self, SendMsg.self, RecvMsg.self, Shutdown.self, Socket.self,
        Splice.self, Tee.self, MsgRing.self, ProvideBuffers.self, RemoveBuffers.self, FilesUpdate.self,
        FixedFdInstall.self, Ftruncate.self, WaitID.self, FutexWait.self, FutexWake.self,
    ]

    @Test func probeListsEveryOpcodeThisLibraryPrepares() throws {
        let ring = try IoUring(entries: 4)
        let probe = try ring.probe()
        #expect(Self.operationTypes.count >= 40)
        #expect(probe.lastOpcode.rawValue >= Opcode.ftruncate.rawValue)
        for type in Self.operationTypes {
            #expect(probe.supports(type.opcode), "\(type) (\(type.opcode.name)) should be supported on this kernel")
        }
        #expect(!probe.supports(Opcode(rawValue: 250)))
        #expect(probe.supportedOpcodes.first == .nop)
    }

    @Test func opcodeNamesFollowTheKernel() {
        #expect(Opcode.readFixed.name == "READ_FIXED")
        #expect(Opcode.futexWake.name == "FUTEX_WAKE")
        #expect(Opcode.ftruncate.rawValue == 55)
        #expect(Opcode(rawValue: 200).name == "OP_200")
    }

    @Test func setupFlagsAreTriedNotGuessed() {
        // Plain flags every io_uring kernel of this age takes; an unknown high bit no kernel takes.
        #expect(IoUring.setupError(for: []) == nil)
        #expect(IoUring.setupError(for: .noSQArray) == nil)
        #expect(IoUring.setupError(for: [.singleIssuer, .deferTaskrun]) == nil)
        #expect(IoUring.setupError(for: SetupFlags(rawValue: 1 << 30)) == .invalidArgument)
    }
}
