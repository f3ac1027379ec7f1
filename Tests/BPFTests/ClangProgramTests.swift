import BPF
import Foundation
import Testing

/// Real programs compiled by the toolchain's clang (`-target bpf`): our disassembly against llvm-objdump's, and
/// our interpreter against the same computation in Swift.
@Suite struct ClangProgramTests {
    static let source = """
        typedef unsigned long long u64; typedef long long s64; typedef unsigned int u32; typedef int s32;
        typedef unsigned short u16; typedef unsigned char u8;
        static u64 (*helper7)(u64, u64) = (void *)7;
        static __attribute__((noinline, section("prog"))) u64 mix(u64 h, u64 v) { return (h ^ v) * 0x100000001b3ULL; }
        __attribute__((section("prog"))) s64 everything(u64 *p, s64 a, s64 b, s32 c, s32 d) {
            s64 r = 0;
            r += (u64)a / (u64)b; r += (u64)a % 7; r += (u32)c / (u32)d; r += (u32)c % (u32)d;
            r += *(u8 *)p; r += *(u16 *)(p + 1); r += *(u32 *)(p + 2);
            r += __builtin_bswap16((u16)a); r += __builtin_bswap32((u32)b); r += __builtin_bswap64(r);
            r = -r; r >>= 3; r ^= 0x1234; r |= a; r &= ~b; r -= 100; r <<= (a & 63); r = (u64)r >> (b & 63);
            c = -c; c >>= 2; r += c; r += ((u32)d >> 5) << 1; r *= 3; r = mix(r, a);
            __sync_fetch_and_add(p, 5); __sync_fetch_and_or(p, a); __sync_fetch_and_xor(p, b); __sync_fetch_and_and(p, 1);
            r += __sync_fetch_and_add(p + 1, 2);
            r += __sync_lock_test_and_set(p + 2, r);
            r += __sync_val_compare_and_swap(p + 3, a, b);
            r += __atomic_fetch_or((u32 *)p, 3, __ATOMIC_SEQ_CST);
            r += __sync_val_compare_and_swap((u32 *)p + 1, (u32)c, (u32)d);
            __sync_fetch_and_add((u32 *)p + 2, 9);
            *(u8 *)p = (u8)r; *(u16 *)p = (u16)a; *(u32 *)p = (u32)b; *p = 0x123456789aULL;
            for (int i = 0; i < c; i++) { if ((u32)i == (u32)d) break; r += i * 0x10; }
            if ((u32)c > 10) r += 1;
            if (c < d) r += 2;
            if ((s32)a <= -5) r += 3;
            if (a & 8) r += 4;
            if (a > b) r -= 9;
            if ((u64)a >= (u64)b) r += 11;
            r += helper7(r, a);
            return r;
        }
        """

    static func tool(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/opt/swift/usr/bin", "/usr/bin"]
        return dirs.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    @discardableResult
    static func run(_ tool: URL, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(tool.lastPathComponent) failed"])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Compiles `source` and returns the bytes of its `prog` section and llvm-objdump's listing of it.
    static func compile(_ source: String, cpu: String) throws -> (bytes: Data, listing: String) {
        let clang = try #require(Self.tool("clang"), "the toolchain's clang is needed")
        let objcopy = try #require(Self.tool("llvm-objcopy"))
        // Our llvm syntax follows LLVM 14's llvm-objdump (Debian's llvm-14, which .ci/run installs); the Swift
        // toolchain's newer one prints hex immediates and w registers.
        let objdump = try #require(Self.tool("llvm-objdump-14"), "llvm-objdump-14 is needed: apt-get install llvm-14")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpf-clang-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = dir.appendingPathComponent("prog.c"), o = dir.appendingPathComponent("prog.o")
        let bin = dir.appendingPathComponent("prog.bin")
        try source.write(to: c, atomically: true, encoding: .utf8)
        try Self.run(clang, ["-target", "bpf", "-O2", "-mcpu=\(cpu)", "-c", c.path, "-o", o.path])
        try Self.run(objcopy, ["-O", "binary", "--only-section=prog", o.path, bin.path])
        return (try Data(contentsOf: bin), try Self.run(objdump, ["-d", "--section=prog", o.path]))
    }

    /// v3 only: LLVM 14's llvm-objdump does not decode v4 instructions.
    @Test func disassemblyMatchesLLVMObjdump() throws {
        let (bytes, listing) = try Self.compile(Self.source, cpu: "v3")

        // "      25:\tdb 71 00 00 01 00 00 00\tr7 = atomic_fetch_add(...)  <sym+0x..>"
        var expected: [Int: String] = [:]
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, let index = Int(fields[0].trimmingCharacters(in: .whitespaces).dropLast()) else {
                continue
            }
            var text = String(fields[2])
            if let annotation = text.range(of: #" <[A-Za-z_.][^ ]*>$"#, options: .regularExpression) {
                text = String(text[..<annotation.lowerBound])
            }
            if text != "<unknown>" { expected[index] = text }
        }
        let instructions = try Instruction.decode(bytes)
        #expect(instructions.count > 100)
        #expect(expected.count > 100)
        var compared = 0
        for (index, text) in Disassembler().disassemble(instructions) {
            guard let llvm = expected[index] else { continue }
            // Without alu32, llvm-objdump prints a 32-bit atomic add with the FETCH bit (what clang emits for
            // __sync_fetch_and_add) as a plain `lock ... +=`, dropping the fetch; we show what the CPU does.
            let insn = instructions[index]
            if insn.opcode == 0xc3 && insn.imm == Opcode.Atomic.add | Opcode.Atomic.fetch {
                #expect(llvm == "lock *(u32 *)(r\(insn.dst) + \(insn.offset)) += r\(insn.src)")
                #expect(text == "w\(insn.src) = atomic_fetch_add((u32 *)(r\(insn.dst) + \(insn.offset)), w\(insn.src))")
                compared += 1
                continue
            }
            #expect(text == llvm, "instruction \(index)")
            compared += 1
        }
        #expect(compared == expected.count)
    }

    static let hashSource = """
        typedef unsigned long long u64; typedef unsigned int u32; typedef unsigned char u8; typedef signed char s8;
        struct args { const u8 *data; u64 len; u32 *hist; };
        static __attribute__((noinline, section("prog"))) u64 mix(u64 h, s8 v) { return (h ^ (u64)(long long)v) * 0x100000001b3ULL; }
        __attribute__((section("prog"))) u64 fnv_hist(struct args *a) {
            u64 h = 0xcbf29ce484222325ULL;
            for (u64 i = 0; i < a->len; i++) {
                u8 b = a->data[i];
                a->hist[b] += 1;
                h = mix(h, (s8)b);
            }
            return h;
        }
        """

    /// A clang -mcpu=v4 program with a local call, sign extension and three regions (read-only arguments and
    /// data, read-write histogram) gives the same hash and histogram as Swift.
    @Test func compiledProgramRunsLikeSwift() throws {
        let (bytes, _) = try Self.compile(Self.hashSource, cpu: "v4")
        let program = try Program(bytecode: bytes)
        #expect(program.instructions.contains { $0.opcode == Opcode.call && $0.src == Opcode.CallKind.local })

        var data = [UInt8](repeating: 0, count: 1000)
        for i in data.indices { data[i] = UInt8(truncatingIfNeeded: i &* 37 &+ i >> 3) }
        let hist = HostBuffer(256 * 4)
        let args = HostBuffer(24)
        let vm = Interpreter(program: program)
        let result = try data.withUnsafeBytes { dataBytes in
            args.memory.storeBytes(of: UInt64(UInt(bitPattern: dataBytes.baseAddress)), toByteOffset: 0, as: UInt64.self)
            args.memory.storeBytes(of: UInt64(dataBytes.count), toByteOffset: 8, as: UInt64.self)
            args.memory.storeBytes(of: hist.address, toByteOffset: 16, as: UInt64.self)
            vm.memory.grant(MemoryRegion(name: "args", buffer: UnsafeRawBufferPointer(args.memory), permissions: .read))
            vm.memory.grant(MemoryRegion(name: "data", buffer: dataBytes, permissions: .read))
            vm.memory.grant(MemoryRegion(name: "hist", buffer: hist.memory, permissions: .readWrite))
            let r0 = try vm.run(args.address)
            // The same program over a length that runs past its data is stopped, naming the data region.
            args.memory.storeBytes(of: UInt64(dataBytes.count + 1), toByteOffset: 8, as: UInt64.self)
            let error = try #require(failure(vm, args.address))
            guard case .memoryViolation(_, 1, .load, let nearest) = error.reason else {
                Issue.record("expected out-of-bounds load, got \(error)")
                return r0
            }
            #expect(nearest?.name == "data")
            #expect(error.index == program.instructions.firstIndex { $0.opcode == 0x71 || $0.opcode == 0x91 })
            return r0
        }

        var expectedHash: UInt64 = 0xcbf2_9ce4_8422_2325
        var expectedHist = [UInt32](repeating: 0, count: 256)
        for b in data {
            expectedHist[Int(b)] += 1
            expectedHash = (expectedHash ^ UInt64(bitPattern: Int64(Int8(bitPattern: b)))) &* 0x100_0000_01b3
        }
        #expect(result == expectedHash)
        // The failed second run counted every byte again before stopping at the extra one.
        #expect((0..<256).map { hist.memory.load(fromByteOffset: $0 * 4, as: UInt32.self) } == expectedHist.map { $0 * 2 })
    }
}
