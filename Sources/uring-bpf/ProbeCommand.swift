import ArgumentParser
import Foundation
import SystemPackage
import BPFJIT
import Uring
import UringBPF

/// `uring-bpf probe`: what this machine's io_uring can do, tried rather than guessed.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Report the kernel's io_uring: features, opcodes, accepted setup flags, MEM regions, BPF loop support."
    )

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let report = try ProbeReport.collect()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}

/// Everything `probe` reports.
struct ProbeReport: Codable {
    struct SetupFlagResult: Codable {
        var flag: String
        var bit: Int
        var accepted: Bool
        var error: String?
    }

    struct RegionResult: Codable {
        var supported: Bool
        var error: String?
    }

    var kernelRelease: String
    var ioUringDisabled: String?
    var features: [String]
    var lastOpcode: Int
    var supportedOpcodes: [String]
    var unsupportedOpcodes: [String]
    var setupFlags: [SetupFlagResult]
    var memRegionUser: RegionResult
    var memRegionKernel: RegionResult
    var btfHasIoUringBPFOps: Bool
    var autoLoopMode: String
    /// "available", or why the BPF JIT cannot run here (programs then run in the interpreter).
    var jit: String

    static func collect() throws -> ProbeReport {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let disabled = (try? String(contentsOfFile: "/proc/sys/kernel/io_uring_disabled", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let ring = try IoUring(entries: 8)
        let probe = try ring.probe()
        let known = (0...Int(probe.lastOpcode.rawValue)).map { Opcode(rawValue: UInt8($0)) }
        let flags = SetupFlags.allNamed.map { entry in
            let error = IoUring.setupError(for: entry.flag)
            return SetupFlagResult(flag: entry.kernelName, bit: entry.flag.rawValue.trailingZeroBitCount,
                                   accepted: error == nil, error: error?.symbolicName)
        }
        // The same decision `--mode auto` makes.
        let loop = KernelLoopSupport.probe()
        return ProbeReport(
            kernelRelease: release,
            ioUringDisabled: disabled,
            features: ring.features.kernelNames,
            lastOpcode: Int(probe.lastOpcode.rawValue),
            supportedOpcodes: probe.supportedOpcodes.map(\.name),
            unsupportedOpcodes: known.filter { !probe.supports($0) }.map(\.name),
            setupFlags: flags,
            memRegionUser: tryRegion(.user),
            memRegionKernel: tryRegion(.kernel),
            btfHasIoUringBPFOps: loop.available,
            autoLoopMode: loop.available ? "kernel: \(loop.reason)" : "user: \(loop.reason)",
            jit: ExecutionEngine.jitUnavailableReason.map { "unavailable, user mode interprets: \($0)" } ?? "available"
        )
    }

    private static func tryRegion(_ kind: MemoryRegionKind) -> RegionResult {
        do {
            var ring = try IoUring(entries: 8, flags: [.singleIssuer, .deferTaskrun])
            let region = try ring.registerMemoryRegion(size: 4096, kind: kind)
            // Prove the mapping is real memory we can write and read back.
            region.storeBytes(of: 0xC0FFEE, as: UInt32.self)
            guard region.load(as: UInt32.self) == 0xC0FFEE else {
                return RegionResult(supported: false, error: "mapping does not hold data")
            }
            return RegionResult(supported: true, error: nil)
        } catch {
            return RegionResult(supported: false, error: "\(error)")
        }
    }

    var text: String {
        var lines: [String] = []
        lines.append("kernel:            \(kernelRelease)")
        if let ioUringDisabled { lines.append("io_uring_disabled: \(ioUringDisabled)") }
        lines.append("features:          \(features.joined(separator: " "))")
        lines.append("opcodes:           \(supportedOpcodes.count) supported (last opcode \(lastOpcode))")
        lines.append(contentsOf: wrap(supportedOpcodes, indent: "  "))
        if !unsupportedOpcodes.isEmpty {
            lines.append("  not supported: \(unsupportedOpcodes.joined(separator: " "))")
        }
        lines.append("setup flags (tried with io_uring_setup):")
        for flag in setupFlags {
            let name = flag.flag.padding(toLength: 19, withPad: " ", startingAt: 0)
            let bit = "1<<\(flag.bit)".padding(toLength: 6, withPad: " ", startingAt: 0)
            lines.append("  \(name) \(bit) \(flag.accepted ? "accepted" : "rejected (\(flag.error ?? "?"))")")
        }
        lines.append("MEM region (IORING_REGISTER_MEM_REGION):")
        lines.append("  user memory:      \(memRegionUser.supported ? "supported" : "not supported (\(memRegionUser.error ?? "?"))")")
        lines.append("  kernel memory:    \(memRegionKernel.supported ? "supported" : "not supported (\(memRegionKernel.error ?? "?"))")")
        let btfLine = btfHasIoUringBPFOps ? "present" : "absent"
        lines.append("io_uring_bpf_ops in /sys/kernel/btf/vmlinux: \(btfLine)")
        lines.append("loop mode auto:    \(autoLoopMode)")
        lines.append("BPF JIT (x86-64):  \(jit)")
        return lines.joined(separator: "\n")
    }

    private func wrap(_ words: [String], indent: String, width: Int = 100) -> [String] {
        var lines: [String] = []
        var line = indent
        for word in words {
            if line.count + word.count + 1 > width && line != indent {
                lines.append(line)
                line = indent
            }
            line += (line == indent ? "" : " ") + word
        }
        if line != indent { lines.append(line) }
        return lines
    }
}
