import SystemSupport
import BPFKernel
import SystemPackage
import Testing

@Suite("bpf() BTF", .enabled(if: runningAsRoot, "bpf() needs root"))
struct BTFTests {
    @Test("hand-built BTF loads, reports its info, reopens by id and reads back")
    func loadAndInspect() throws {
        let btf = try BTFHandle(loading: intBTF)
        let info = try btf.info()
        #expect(info.id != 0)
        #expect(info.size == UInt32(intBTF.count))
        #expect(!info.isKernelBTF)
        #expect(try btf.rawData() == intBTF)

        let reopened = try BTFHandle(id: info.id)
        #expect(try reopened.info().id == info.id)
    }

    @Test("a map's key and value can be described by loaded BTF")
    func mapWithBTF() throws {
        let btf = try BTFHandle(loading: intBTF)
        let map = try BPFMap(
            BPFMapSpec(
                type: .array, keySize: 4, valueSize: 4, maxEntries: 2, name: "typed", btf: btf.descriptor,
                btfKeyTypeID: 1, btfValueTypeID: 1))
        let info = try map.info()
        #expect(info.btfID == (try btf.info().id))
        #expect(info.btfKeyTypeID == 1 && info.btfValueTypeID == 1)
    }

    @Test("malformed BTF is rejected with the kernel's BTF log")
    func rejectsBadBTF() throws {
        // A 4-byte int claiming 64 bits.
        let bad = btfBlob(types: btfInt(size: 4, bits: 64), strings: Array("\0int\0".utf8))
        let error = #expect(throws: BPFError.self) { _ = try BTFHandle(loading: bad) }
        #expect(error?.command == .btfLoad)
        #expect(error?.errno == .invalidArgument)
        #expect(error?.log?.contains("nr_bits") == true)
    }

    @Test("the kernel's BTF ids include vmlinux and BTF we loaded")
    func listIDs() throws {
        let btf = try BTFHandle(loading: intBTF)
        let ids = try BTFHandle.allIDs()
        #expect(ids.contains(try btf.info().id))
        // BTF loaded by other tests may be freed between listing and opening, so skip ids that are gone.
        let kernelNames = ids.compactMap { id in try? BTFHandle(id: id).info() }.filter(\.isKernelBTF).map(\.name)
        #expect(kernelNames.contains("vmlinux"))
    }

    @Test("an unknown BTF id is ENOENT")
    func unknownID() {
        let error = #expect(throws: BPFError.self) { _ = try BTFHandle(id: 0x7fff_fff0) }
        #expect(error?.errno == .noSuchFileOrDirectory)
        #expect(error?.command == .btfGetFDByID)
    }

    @Test("errno names come from glibc")
    func errnoNames() {
        #expect(Errno.permissionDenied.symbolicName == "EACCES")
        #expect(Errno(rawValue: 524).symbolicName == "ENOTSUPP")
    }
}
