import BPFObject
import Foundation
import Testing

/// Bad input gets a specific error, never a crash.
@Suite("Malformed objects")
struct MalformedObjectTests {
    let good: [UInt8]
    let elf: ELFFile
    init() throws {
        good = try #require(BuiltBPFObjects.all.first { $0.name == "features" }).bytes
        elf = try ELFFile(bytes: good)
    }

    func patched(_ body: (inout [UInt8]) -> Void) -> [UInt8] {
        var bytes = good
        body(&bytes)
        return bytes
    }

    func putU32(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    @Test("ELF identification and header")
    func header() throws {
        #expect(throws: ObjectFileError.truncated(what: "ELF header", offset: 0, length: 64, available: 0)) {
            try ObjectFile(bytes: [])
        }
        #expect(throws: ObjectFileError.notELF) { try ObjectFile(bytes: patched { $0[1] = 0x46 }) }
        #expect(throws: ObjectFileError.wrongClass(1)) { try ObjectFile(bytes: patched { $0[4] = 1 }) }
        #expect(throws: ObjectFileError.wrongEndianness(2)) { try ObjectFile(bytes: patched { $0[5] = 2 }) }
        #expect(throws: ObjectFileError.wrongMachine(62)) { try ObjectFile(bytes: patched { $0[18] = 62; $0[19] = 0 }) }
        #expect(throws: ObjectFileError.notRelocatable(2)) { try ObjectFile(bytes: patched { $0[16] = 2 }) }
    }

    @Test("truncated files report how far they got")
    func truncated() throws {
        // Section headers sit at the end of clang's output: cutting the file loses them.
        let cut = Array(good.prefix(good.count - 100))
        #expect {
            try ObjectFile(bytes: cut)
        } throws: { error in
            guard case .truncated(let what, _, _, let available) = error as? ObjectFileError else { return false }
            return what == "section headers" && available == cut.count
        }
    }

    @Test("a section whose data lies outside the file")
    func sectionOutOfRange() throws {
        let btf = try #require(elf.section(named: ".BTF"))
        let shoff = Int(good[40]) | Int(good[41]) << 8 | Int(good[42]) << 16 | Int(good[43]) << 24
        let bytes = patched { putU32(&$0, shoff + btf.index * 64 + 24, UInt32(good.count + 8)) }
        #expect {
            try ObjectFile(bytes: bytes)
        } throws: { error in
            guard case .badSection(let index, _, let reason) = error as? ObjectFileError else { return false }
            return index == btf.index && reason.contains("outside the file")
        }
    }

    @Test("a data section turned SHT_NULL keeps its bounds checked (a fuzzer found the trap)")
    func nullSectionOutOfRange() throws {
        let data = try #require(elf.section(named: ".data"))
        let shoff = Int(good[40]) | Int(good[41]) << 8 | Int(good[42]) << 16 | Int(good[43]) << 24
        let bytes = patched {
            putU32(&$0, shoff + data.index * 64 + 4, 0)  // sh_type = SHT_NULL
            putU32(&$0, shoff + data.index * 64 + 24, UInt32(good.count + 8))
        }
        #expect {
            try ObjectFile(bytes: bytes)
        } throws: { error in
            guard case .badSection(let index, _, let reason) = error as? ObjectFileError else { return false }
            return index == data.index && reason.contains("outside the file")
        }
    }

    @Test("two data sections with one name are refused (the object-linker fuzzer found an image leaked for one)")
    func duplicateMapNames() throws {
        // The fuzzer's input: two sections named '.data.b'.
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/duplicate-data-sections.o").path
        let bytes = try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) })
        #expect(throws: ObjectFileError.badMap(name: ".data.b", reason: "another map or global-data section has this name")) {
            try ObjectFile(bytes: bytes)
        }
    }

    @Test("a relocation against a missing symbol")
    func missingSymbol() throws {
        let rel = try #require(elf.sections.first { $0.name == ".rel.struct_ops" })
        let bytes = patched { putU32(&$0, rel.offset + 12, 9999) }  // r_info's symbol half
        #expect(throws: ObjectFileError.missingSymbol(section: ".rel.struct_ops", offset: 0, symbolIndex: 9999)) {
            try ObjectFile(bytes: bytes)
        }
    }

    @Test("an unsupported relocation type in code")
    func unsupportedRelocation() throws {
        let rel = try #require(elf.sections.first { $0.name == ".reltc/ingress" })
        let bytes = patched { putU32(&$0, rel.offset + 8, 7) }  // r_info's type half
        #expect {
            try ObjectFile(bytes: bytes)
        } throws: { error in
            guard case .unsupportedRelocation(let section, 0, 7, let symbol) = error as? ObjectFileError else { return false }
            return section == "tc/ingress" && symbol == "events"
        }
    }

    @Test("a map relocation on an instruction that is not lddw")
    func relocationOnWrongInstruction() throws {
        let code = try #require(elf.section(named: "tc/ingress"))
        let bytes = patched { $0[code.offset] = 0xb7 }  // mov r, imm instead of lddw
        #expect(throws: ObjectFileError.badRelocation(section: "tc/ingress", instruction: 0, symbol: "events",
                                                     reason: "R_BPF_64_64 on an instruction that is not lddw")) {
            try ObjectFile(bytes: bytes)
        }
    }

    @Test("a BTF string offset out of range inside the object")
    func badBTFString() throws {
        let btf = try #require(elf.section(named: ".BTF"))
        let bytes = patched { putU32(&$0, btf.offset + 24, 0xffff_fff0) }  // type 1's name offset
        #expect {
            try ObjectFile(bytes: bytes)
        } throws: { error in
            guard case .btf(.badStringOffset(1, 0xffff_fff0)) = error as? ObjectFileError else { return false }
            return true
        }
    }

    @Test("an undefined symbol that .ksyms does not declare")
    func undeclaredExtern() throws {
        // Rename the kfunc's ELF symbol to another existing string, so BTF no longer matches it.
        let symtab = try #require(elf.sections.first { $0.type == 2 })
        let kfunc = try #require(elf.symbols.first { $0.name == "bpf_missing_kfunc" })
        let other = try #require(elf.symbols.first { $0.name == "classify" })
        let otherName = Array(good[(symtab.offset + other.index * 24)..<(symtab.offset + other.index * 24 + 4)])
        let bytes = patched { $0.replaceSubrange((symtab.offset + kfunc.index * 24)..<(symtab.offset + kfunc.index * 24 + 4), with: otherName) }
        #expect {
            try ObjectFile(bytes: bytes)
        } throws: { error in
            guard case .badSymbol(_, "classify", let reason) = error as? ObjectFileError else { return false }
            return reason.contains(".ksyms")
        }
    }
}

/// Mutates real objects (bit flips, word overwrites, truncations) with a fixed
/// seed and iteration count: every parse must succeed or throw a
/// `ObjectFileError` (typed throws guarantee the error type); a trap fails the run.
@Suite("Fuzz")
struct FuzzTests {
    @Test("mutated objects never crash the reader")
    func mutations() throws {
        // Fixed by default; BPFOBJECT_FUZZ_SEED / BPFOBJECT_FUZZ_ITERATIONS allow longer local runs.
        let environment = ProcessInfo.processInfo.environment
        var rng = SplitMix64(state: environment["BPFOBJECT_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5eed_0b1e_c7_2026)
        let iterationsPerObject = environment["BPFOBJECT_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 400
        var outcomes = (parsed: 0, rejected: 0)
        for (_, original) in Objects.allBytes {
            let elf = try ELFFile(bytes: original)
            // Most flips go where the reader looks: headers, symbols, relocations, code, data, BTF.
            let interesting: [Range<Int>] = [0..<64] + elf.sections.filter {
                !$0.name.hasPrefix(".debug") && !$0.name.hasPrefix(".rel.debug") && !$0.hasNoBits && $0.size > 0
            }.map { $0.offset..<($0.offset + $0.size) } + [{
                let shoff = Int(original[40]) | Int(original[41]) << 8 | Int(original[42]) << 16
                return shoff..<min(original.count, shoff + elf.sections.count * 64)
            }()]
            for iteration in 0..<iterationsPerObject {
                var bytes = original
                func position() -> Int {
                    if Int.random(in: 0..<10, using: &rng) < 8 {
                        let range = interesting[Int.random(in: 0..<interesting.count, using: &rng)]
                        return Int.random(in: range, using: &rng)
                    }
                    return Int.random(in: 0..<bytes.count, using: &rng)
                }
                switch iteration % 5 {
                case 0, 1:
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {
                        bytes[position()] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                    }
                case 2:
                    let p = min(position(), bytes.count - 4) & ~3
                    let values: [UInt32] = [0, 1, 0x7fff_ffff, 0xffff_ffff, 0x8000_0000, 0xffff, UInt32.random(in: 0...UInt32.max, using: &rng)]
                    let v = values[Int.random(in: 0..<values.count, using: &rng)]
                    for i in 0..<4 { bytes[p + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
                case 3:
                    bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
                default:
                    bytes[position()] = UInt8.random(in: 0...255, using: &rng)
                    bytes[position()] ^= 0x80
                }
                do {
                    let object = try ObjectFile(bytes: bytes)
                    outcomes.parsed += 1
                    // Exercise what loaders and objdump use on whatever survived.
                    _ = try? object.kernelBTF()
                    for program in object.programs {
                        _ = program.sourceLocation(at: Int.random(in: 0..<max(1, program.instructions.count), using: &rng))
                    }
                    if let btf = object.btf {
                        for id in 0..<UInt32(min(btf.typeCount, 64)) {
                            _ = try? btf.size(of: id)
                            _ = btf.typeDescription(id)
                        }
                    }
                } catch {
                    // Typed throws: the reader can only fail with an ObjectFileError.
                    let _: ObjectFileError = error
                    outcomes.rejected += 1
                }
            }
        }
        print("fuzz: \(outcomes.parsed) mutated objects parsed, \(outcomes.rejected) rejected with ObjectFileError")
        #expect(outcomes.parsed + outcomes.rejected == Objects.allBytes.count * iterationsPerObject)
        #expect(outcomes.rejected > 0)
    }

    @Test("mutated BTF blobs never crash the BTF parser or lookups")
    func btfMutations() throws {
        var rng = SplitMix64(state: 42)
        let blobs = try [IoUringBTFFixture.blob()] + Objects.allBytes.map { try #require(try ObjectFile(bytes: $0.bytes).btf).bytes }
        for blob in blobs {
            for _ in 0..<300 {
                var bytes = blob
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                }
                if Bool.random(using: &rng) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
                guard let btf = try? BTF(bytes: bytes) else { continue }
                for id in 0..<UInt32(btf.typeCount + 1) {
                    _ = try? btf.resolve(id)
                    _ = try? btf.size(of: id)
                    _ = try? btf.members(of: id)
                    _ = btf.typeDescription(id)
                }
                _ = btf.typeIDs(named: "io_uring_bpf_ops")
                if let types = try? btf.allTypes() {
                    var copy = types
                    _ = try? BTFRewrites.sanitizeKsyms(&copy)
                    _ = try? BTFWriter.encode(copy)
                }
            }
        }
    }

    @Test("an empty or missing file is refused by path, with the reason (LeakSanitizer checks the empty read leaks nothing)")
    func emptyAndMissingFiles() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("uring-bpf-empty-\(getpid()).o").path
        #expect(FileManager.default.createFile(atPath: empty, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect { try ObjectFile(contentsOf: empty) } throws: { "\($0)".contains("ELF") }
        #expect { try BTF(contentsOf: empty) } throws: { "\($0)".contains("BTF header") }
        let missing = empty + ".missing"
        #expect { try ObjectFile(contentsOf: missing) } throws: { "\($0)" == "\(missing): cannot read file: No such file or directory" }
        #expect { try BTF(contentsOf: missing) } throws: { "\($0)" == "\(missing): cannot read file: No such file or directory" }
    }
}
