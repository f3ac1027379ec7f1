import BPFKernel
import BPFObject
import SystemPackage
import Testing
import Uring
import UringBPFExamples

/// io_uring_bpf_ops attached for real: these run in the Linux 7.x VM (`Scripts/kernel-vm/run`) and skip elsewhere.
/// Each test is synchronous and stays on one thread: with DEFER_TASKRUN only the ring's creator may enter it.
@Suite("io_uring_bpf_ops in the kernel", .enabled(if: KernelLoop.enabled, KernelLoop.skipReason))
struct LoopAttachTests {
    @Test("attach, detach, reattach: the loop runs only while attached, and the ring is normal in between")
    func attachDetachReattach() throws {
        // No SQ_REWIND, so the detached ring can run a NOP the ordinary way.
        var ring = try loopRing(flags: [.singleIssuer, .deferTaskrun])
        let loaded = try TestObjects.load("count_steps")

        let attachment = try loaded.attach(ringFD: ring.fd)
        #expect(attachment.typeName == "io_uring_bpf_ops")
        #expect(attachment.name == "count_ops")
        #expect(try runLoop(ring) == 0)
        #expect(try loaded.global("steps", as: UInt32.self) == 1)
        #expect(try runLoop(ring) == 0)
        #expect(try loaded.global("steps", as: UInt32.self) == 2)
        attachment.detach()

        // Detached: enter no longer runs the program, and submits and waits as usual.
        try ring.push(Nop().build())
        #expect(try ring.submitAndWait(1) == 1)
        #expect(try ring.popCompletion()?.result == 0)
        #expect(try loaded.global("steps", as: UInt32.self) == 2)

        do {
            let again = try loaded.attach(ringFD: ring.fd)
            #expect(again.name == "count_ops")
            #expect(try runLoop(ring) == 0)
            #expect(try loaded.global("steps", as: UInt32.self) == 3)
        }  // the attachment goes away here, which detaches
        try ring.push(Nop().build())
        #expect(try ring.submitAndWait(1) == 1)
        #expect(try loaded.global("steps", as: UInt32.self) == 3)
    }

    @Test("a ring closed while attached ejects the ops; the attachment then detaches cleanly")
    func ringClosedFirst() throws {
        let loaded = try TestObjects.load("count_steps")
        let attachment: StructOpsAttachment
        do {
            let ring = try loopRing()
            attachment = try loaded.attach(ringFD: ring.fd)
            #expect(try runLoop(ring) == 0)
        }  // the ring is closed here
        attachment.detach()
        let ring = try loopRing()
        let again = try loaded.attach(ringFD: ring.fd)
        #expect(try runLoop(ring) == 0)
        #expect(try loaded.global("steps", as: UInt32.self) == 2)
        again.detach()
    }

    @Test("a second attach to the same ring fails with EBUSY and leaves the first attached")
    func secondAttachIsBusy() throws {
        let ring = try loopRing()
        let loaded = try TestObjects.load("count_steps")
        let other = try TestObjects.load("bad_return")
        let first = try loaded.attach(ringFD: ring.fd)

        for candidate in [0, 1] {
            let error = #expect(throws: BPFLoaderError.self) {
                if candidate == 0 { _ = try loaded.attach(ringFD: ring.fd) } else { _ = try other.attach(ringFD: ring.fd) }
            }
            #expect(error?.errno == .resourceBusy)
            #expect(error?.description.contains("already has io_uring_bpf_ops attached") == true)
        }
        #expect(try runLoop(ring) == 0)
        #expect(try loaded.global("steps", as: UInt32.self) == 1)
        #expect(try other.global("steps", as: UInt32.self) == 0)
        first.detach()
    }

    @Test("a ring without DEFER_TASKRUN is refused with EOPNOTSUPP")
    func needsDeferTaskrun() throws {
        let ring = try IoUring(entries: 16, flags: [.singleIssuer, .noSQArray])
        let loaded = try TestObjects.load("count_steps")
        let error = #expect(throws: BPFLoaderError.self) { _ = try loaded.attach(ringFD: ring.fd) }
        #expect(error?.kind == .kernelCall)
        #expect(error?.errno == .notSupported)
        #expect(error?.description.contains("DEFER_TASKRUN") == true)
        #expect(error?.kernelError?.command == .linkCreate)
    }

    @Test("loop_step returning something other than CONTINUE or STOP fails io_uring_enter with EINVAL")
    func badReturnValue() throws {
        let ring = try loopRing()
        let loaded = try TestObjects.load("bad_return")
        let attachment = try loaded.attach(ringFD: ring.fd)
        let error = #expect(throws: UringError.self) { try runLoop(ring) }
        #expect(error?.errno == .invalidArgument)
        #expect(try loaded.global("steps", as: UInt32.self) == 1)
        attachment.detach()
    }

    @Test("a signal ends a waiting loop with EINTR; the next enter resumes with the state kept in globals")
    func signalInterrupts() throws {
        let ring = try loopRing()
        let loaded = try TestObjects.load("wait_forever")
        let attachment = try loaded.attach(ringFD: ring.fd)

        let error = try withRepeatedAlarm { #expect(throws: UringError.self) { try runLoop(ring) } }
        #expect(error?.errno == .interrupted)
        let stepsBefore = try loaded.global("steps", as: UInt32.self)
        #expect(stepsBefore >= 1)

        try loaded.setGlobal("release", bytes: [1, 0, 0, 0])
        #expect(try runLoop(ring) == 0)
        #expect(try loaded.global("steps", as: UInt32.self) == stepsBefore + 1)
        attachment.detach()
    }

    @Test("a struct_ops/ (not sleepable) program calling submit_sqes is rejected, with the verifier's words and line")
    func notSleepableIsRejected() throws {
        let object = try TestObjects.program("not_sleepable")
        let line = try TestObjects.sourceLine(containing: "bpf_io_uring_submit_sqes", in: object)
        let error = #expect(throws: BPFLoaderError.self) { _ = try KernelObjectLoader(object).load() }
        #expect(error?.kind == .kernelCall)
        #expect(error?.errno == .permissionDenied)
        #expect(error?.description.contains("program must be sleepable") == true)
        #expect(error?.description.contains("not_sleepable_step") == true)
        #expect(error?.kernelLog?.contains("@ not_sleepable.bpf.c:\(line)") == true)
    }

    @Test("get_region is NULL for an unknown region, for MEM without a registration, and past the page-rounded CQ")
    func getRegionNullCases() throws {
        let ring = try loopRing()
        var loader = KernelObjectLoader(try TestObjects.program("regions"))
        // The CQ region as mapped (page-rounded); the kernel allows requests up to exactly this size.
        try loader.setGlobal("cq_region_size", to: UInt32(ring.ringsRegion.count))
        let loaded = try loader.load()
        let attachment = try loaded.attach(ringFD: ring.fd)
        #expect(try runLoop(ring) == 0)
        #expect(try loaded.global("unknown_is_null", as: Int32.self) == 1)
        #expect(try loaded.global("mem_is_null", as: Int32.self) == 1)
        #expect(try loaded.global("cq_whole_is_null", as: Int32.self) == 0)
        #expect(try loaded.global("cq_one_more_is_null", as: Int32.self) == 1)
        attachment.detach()
    }

    @Test("get_region(MEM) is the registered memory region, shared with user space")
    func getRegionMemory() throws {
        var ring = try loopRing()
        let memory = try ring.registerMemoryRegion(size: 4096)
        var loader = KernelObjectLoader(try TestObjects.program("regions"))
        try loader.setGlobal("cq_region_size", to: UInt32(ring.ringsRegion.count))
        let loaded = try loader.load()
        let attachment = try loaded.attach(ringFD: ring.fd)
        #expect(try runLoop(ring) == 0)
        #expect(try loaded.global("mem_is_null", as: Int32.self) == 0)
        #expect(UnsafeRawBufferPointer(memory).loadUnaligned(as: UInt64.self) == 0x5eed_0001)
        attachment.detach()
    }

    @Test("the sequential-NOP example completes N NOPs in one io_uring_enter")
    func sequentialNops() throws {
        let nops: UInt32 = 1000
        let ring = try loopRing()
        #expect(ring.flags.contains([.singleIssuer, .deferTaskrun, .noSQArray, .cqSize, .sqRewind]))
        var loader = KernelObjectLoader(try TestObjects.example("nops_seq"), name: "nops_seq")
        try loader.setGlobal("sq_entries", to: ring.sqEntries)
        try loader.setGlobal("cq_entries", to: ring.cqEntries)
        try loader.setGlobal("nr_nops", to: nops)
        let loaded = try loader.load()

        // .rodata is readable in place and frozen.
        #expect(try loaded.global("cq_entries", as: UInt32.self) == ring.cqEntries)
        let frozen = #expect(throws: BPFLoaderError.self) { try loaded.setGlobal("sq_entries", to: UInt32(1)) }
        #expect(frozen?.kind == .usage)

        let attachment = try loaded.attach(ringFD: ring.fd)
        #expect(try runLoop(ring) == 0)  // one enter runs the whole loop
        #expect(try loaded.global("error", as: Int32.self) == 0)
        #expect(try loaded.global("nops_submitted", as: UInt32.self) == nops)
        #expect(try loaded.global("nops_completed", as: UInt32.self) == nops)
        #expect(try loaded.global("steps", as: UInt32.self) >= nops)
        #expect(try loaded.globalBytes("nops_completed") == withUnsafeBytes(of: nops.littleEndian) { Array($0) })
        // The kernel posted N CQEs and the program consumed them; SQ_REWIND left the SQ head and tail at 0.
        let offsets = ring.parameters
        #expect(ringWord(ring, at: offsets.cqOffsets.tail) == nops)
        #expect(ringWord(ring, at: offsets.cqOffsets.head) == nops)
        #expect(ringWord(ring, at: offsets.sqOffsets.head) == 0)
        #expect(ringWord(ring, at: offsets.sqOffsets.tail) == 0)
        attachment.detach()
    }
}

@Suite("the loaded object as the kernel sees it", .enabled(if: KernelLoop.enabled, KernelLoop.skipReason))
struct LoadedObjectShapeTests {
    @Test("global-data maps, the struct_ops program, the struct_ops map and the link have the kernel-side shape")
    func shapes() throws {
        let kernel = try KernelBTF.current()
        let ops = try kernel.structOps(named: "io_uring_bpf_ops")
        let object = try TestObjects.example("nops_seq")
        let btf = try #require(object.btf)
        let loaded = try KernelObjectLoader(object, name: "nops_seq").load()

        for data in object.maps.compactMap(\.globalData) {
            let info = try loaded.mapInfo(named: data.sectionName)
            #expect(info.type == .array && info.keySize == 4 && info.maxEntries == 1)
            #expect(Int(info.valueSize) == data.initialBytes.count)
            #expect(info.name == "nops_seq" + data.sectionName)
            #expect(info.btfKeyTypeID == 0)
            #expect(info.btfValueTypeID == btf.typeID(named: data.sectionName, kind: .dataSection))
            #expect(info.flags.contains(.mmapable))
            #expect(info.flags.contains(.readOnlyProgram) == data.isReadOnly)
        }

        let program = try loaded.programInfo(named: "nops_seq_step")
        #expect(program.type == .structOps)
        #expect(program.attachBTFID == ops.typeID)
        #expect(program.gplCompatible)
        #expect(program.btfID != 0)

        let ring = try loopRing()
        let attachment = try loaded.attach(ringFD: ring.fd)
        let map = try attachment.mapInfo()
        #expect(map.type == .structOps && map.keySize == 4 && map.maxEntries == 1)
        #expect(Int(map.valueSize) == ops.valueSize)
        #expect(map.btfVMLinuxValueTypeID == ops.valueTypeID)
        #expect(map.flags == .link)
        #expect(map.name == "nops_seq_ops")
        let link = try attachment.linkInfo()
        #expect(link.type == 9)  // BPF_LINK_TYPE_STRUCT_OPS
        #expect(link.structOpsMapID == map.id)
        attachment.detach()
    }
}

@Suite("object features in the kernel", .enabled(if: KernelLoop.enabled, KernelLoop.skipReason))
struct LoadedObjectFeatureTests {
    @Test("maps, a subprogram, a bpf_loop callback and bpf_printk: relocated, verified and run")
    func mapsAndHelpers() throws {
        let ring = try loopRing()
        let loaded = try TestObjects.load("maps_helpers")
        try loaded.update(UInt32(1), to: UInt64(35), in: "counts")
        let attachment = try loaded.attach(ringFD: ring.fd)
        #expect(try runLoop(ring) == 0)
        #expect(try loaded.global("counts_after", as: UInt64.self) == 42)
        #expect(try loaded.lookup(UInt32(1), in: "counts", as: UInt64.self) == 42)
        #expect(try loaded.global("totals_ret", as: Int64.self) == 0)
        #expect(try loaded.lookup(UInt32(42), in: "totals", as: UInt64.self) == 4200)
        #expect(try loaded.lookup(UInt32(41), in: "totals", as: UInt64.self) == nil)
        #expect(try loaded.global("loop_ret", as: Int64.self) == 5)
        #expect(try loaded.global("loop_sum", as: UInt64.self) == 15)
        #expect(try loaded.global("printk_ret", as: Int64.self) > 0)
        // The format string's .rodata holds only static data: frozen, not mapped.
        #expect(loaded.globalSection(".rodata") == nil)
        #expect(try loaded.mapInfo(named: ".rodata").flags.contains(.readOnlyProgram))
        attachment.detach()
    }

    @Test("every shipped example loads and passes the verifier with its default globals")
    func examplesLoad() throws {
        // checksum is a plain function for `exec`, not a loop program: it has nothing to attach.
        let loops = try UringBPFExamples.all.compactMap { example in
            let object = try ObjectFile(bytes: example.bytes)
            return object.programs.isEmpty ? nil : (example, object)
        }
        #expect(loops.count >= 4)
        for (example, object) in loops {
            let loaded = try KernelObjectLoader(object, name: example.name).load()
            #expect(loaded.structOpsNames.count == 1, "\(example.name)")
            for program in object.programs {
                #expect(try loaded.programInfo(named: program.name).type == .structOps, "\(example.name)")
            }
        }
    }
}
