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
            r += *(signed char *)(p + 3); r += *(short *)(p + 4); r += *(s32 *)(p + 5);
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
        let (status, output) = try runChild(tool.path, arguments)
        guard status == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(tool.lastPathComponent) failed"])
        }
        return output
    }

    /// The toolchain's llvm-objdump (LLVM 21), whose syntax `Disassembler(syntax: .llvm)` follows; looked up in the
    /// toolchain itself, not through PATH, so another LLVM installed on the machine cannot stand in for it.
    static func toolchainObjdump() throws -> URL {
        let url = URL(fileURLWithPath: "/opt/swift/usr/bin/llvm-objdump")
        try #require(FileManager.default.isExecutableFile(atPath: url.path), "the Swift toolchain's llvm-objdump is needed")
        return url
    }

    /// Compiles `source` (C, or assembly when `assembly`) and returns the bytes of its `prog` section and
    /// llvm-objdump's listing of it.
    static func compile(_ source: String, cpu: String, assembly: Bool = false) throws -> (bytes: Data, listing: String) {
        let clang = try #require(Self.tool("clang"), "the toolchain's clang is needed")
        let objcopy = try #require(Self.tool("llvm-objcopy"))
        let objdump = try toolchainObjdump()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpf-clang-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = dir.appendingPathComponent(assembly ? "prog.s" : "prog.c"), o = dir.appendingPathComponent("prog.o")
        let bin = dir.appendingPathComponent("prog.bin")
        try source.write(to: c, atomically: true, encoding: .utf8)
        try Self.run(clang, ["-target", "bpf", "-O2", "-mcpu=\(cpu)", "-c", c.path, "-o", o.path])
        try Self.run(objcopy, ["-O", "binary", "--only-section=prog", o.path, bin.path])
        return (try Data(contentsOf: bin), try Self.run(objdump, ["-d", "--section=prog", o.path]))
    }

    /// llvm-objdump's text per instruction index, without the `<function+0x..>` note after jumps.
    /// "      25:\tdb 71 00 00 01 00 00 00\tr7 = atomic_fetch_add(...)"
    static func objdumpLines(_ listing: String) -> [Int: String] {
        var lines: [Int: String] = [:]
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, fields[0].hasSuffix(":"),
                  let index = Int(fields[0].trimmingCharacters(in: .whitespaces).dropLast()) else { continue }
            var text = fields[2...].joined(separator: "\t")
            if let note = text.range(of: #" <[A-Za-z_.][^ ]*>$"#, options: .regularExpression) {
                text = String(text[..<note.lowerBound])
            }
            lines[index] = text
        }
        return lines
    }

    /// Our disassembly equals llvm-objdump's line for line; returns how many lines were compared.
    @discardableResult
    static func expectSameDisassembly(_ instructions: [Instruction], _ listing: String) -> Int {
        let expected = objdumpLines(listing)
        let ours = Disassembler().disassemble(instructions)
        let boundaries = Set(ours.map(\.index)).symmetricDifference(expected.keys)
        #expect(boundaries.isEmpty, "instructions at different slots, first at \(boundaries.min() ?? 0)")
        var mismatches = 0
        for (index, text) in ours where text != expected[index] && expected[index] != nil {
            mismatches += 1
            if mismatches <= 20 {
                let bytes = Instruction.encode([instructions[index]]).map { String(format: "%02x", $0) }.joined(separator: " ")
                Issue.record("instruction \(index) [\(bytes)]: ours \"\(text)\", llvm-objdump \"\(expected[index] ?? "-")\"")
            }
        }
        #expect(mismatches == 0)
        return ours.count
    }

    /// Real programs: clang's v3 (alu32, atomics) and v4 (sdiv/smod, movsx, ldsx, bswap, gotol) output.
    @Test(arguments: ["v3", "v4"]) func disassemblyMatchesLLVMObjdump(cpu: String) throws {
        let (bytes, listing) = try Self.compile(Self.source, cpu: cpu)
        let instructions = try Instruction.decode(bytes)
        #expect(instructions.count > 100)
        let compared = Self.expectSameDisassembly(instructions, listing)
        #expect(compared > 100)
        if cpu == "v4" {  // the v4 instructions are there to compare
            #expect(instructions.contains { $0.opcode == 0xd7 })  // bswap
            #expect(instructions.contains { $0.opcode & 0xe7 == 0x81 })  // ldsx
        }
    }

    /// Every opcode byte with a spread of registers, offsets and immediates (valid or not: llvm-objdump's
    /// `<unknown>` included), assembled by clang from `.quad`s.
    @Test func everyOpcodeMatchesLLVMObjdump() throws {
        let offsets: [Int16] = [0, 1, -8, 8, 16, 32, 0x7fff, -0x8000]
        let immediates: [Int32] = [0, 1, 7, -16, 16, 32, 64, 0x41, 0xa1, 0xe1, 0xf1, 0x100, 0x110, 0x10002, .min, .max]
        var instructions: [Instruction] = []
        var n = 0
        for opcode in 0...255 {
            for offset in offsets {
                for imm in immediates {
                    n += 1
                    let dst = UInt8(n % 11), src = UInt8((n / 3) % 16)
                    instructions.append(Instruction(opcode: UInt8(opcode), dst: dst, src: src, offset: offset, imm: imm))
                    if opcode == Int(ISA.lddw) {
                        instructions.append(Instruction(opcode: 0, dst: 0, src: 0, offset: 0, imm: imm &* 3 &+ Int32(n)))
                    }
                }
            }
        }
        let source = ".section prog,\"ax\",@progbits\n" + instructions.map { insn in
            let bytes = Instruction.encode([insn])
            return ".quad 0x" + bytes.reversed().map { String(format: "%02x", $0) }.joined() + "\n"
        }.joined()
        let (bytes, listing) = try Self.compile(source, cpu: "v4", assembly: true)
        #expect(try Instruction.decode(bytes) == instructions)
        #expect(Self.expectSameDisassembly(instructions, listing) > 30000)
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
        #expect(program.instructions.contains { $0.opcode == ISA.call && $0.src == ISA.CallKind.local })

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
