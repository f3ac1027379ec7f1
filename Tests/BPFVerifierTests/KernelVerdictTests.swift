import SystemPackage
import SystemSupport
import BPFKernel
import BPFObject
import SystemSupport
import BPFVerifier
import Foundation
import Testing

/// The differential check against the real kernel (Linux 7.1+, so in the VM: `Scripts/kernel-vm/run --filter
/// verifier-corpus`): every corpus object is loaded (load only, log level 1) through ``KernelObjectLoader`` and the
/// kernel's verdict is compared with ours. It prints the table `Tests/VerifierCorpus/record-kernel-verdicts` turns into
/// `kernel-verdicts.txt`.
@Suite struct KernelVerdictTests {
    static let kernelHasLoops = geteuid() == 0 && ((try? KernelBTF.current().hasIoUringBPFOps) ?? false)
    static let enabled = kernelHasLoops || ProcessInfo.processInfo.environment["URING_BPF_REQUIRE_KERNEL_LOOP"] == "1"

    @Test(
        "our verdict equals the kernel's for every corpus program",
        .enabled(if: enabled, "needs a kernel with io_uring_bpf_ops (Linux 7.1+) and root: runs in the VM"))
    func kernelAgrees() throws {
        let kernel = try KernelBTF.current()
        var rows: [(name: String, kernel: String, ours: String, message: String)] = []
        let clock = ContinuousClock()
        for (objectName, object) in try Corpus.objects() {
            var verdict = "", message = ""
            let kernelTime = clock.measure { (verdict, message) = Self.kernelVerdict(object, kernel: kernel) }
            for program in object.programs {
                let name = object.programs.count == 1 ? objectName : "\(objectName):\(program.name)"
                var ours: VerifierVerdict? = nil
                let ourTime = clock.measure { ours = Verifier().verify(object: object, program: program) }
                // The kernel stops at the first program it refuses; others of that object get its verdict.
                rows.append((name, verdict, ours!.summary, "\(message) [kernel \(kernelTime.milliseconds) ms, ours \(ourTime.milliseconds) ms]"))
            }
        }
        let width = rows.map(\.name.count).max() ?? 10
        var table = ["VERDICTS-BEGIN kernel=\(Self.kernelRelease())"]
        for row in rows {
            let same = row.kernel == "loader" || row.kernel == row.ours
            table.append(
                (same ? "  " : "!!") + " " + row.name.padding(toLength: width, withPad: " ", startingAt: 0) + " "
                    + row.kernel.padding(toLength: 8, withPad: " ", startingAt: 0) + " "
                    + row.ours.padding(toLength: 8, withPad: " ", startingAt: 0) + " " + row.message)
        }
        let disagreements = rows.filter { $0.kernel != "loader" && $0.kernel != $0.ours }
        table.append("VERDICTS-END \(rows.count) programs, \(disagreements.count) disagree")
        print(table.joined(separator: "\n"))
        #expect(disagreements.isEmpty, "ours differs from the kernel on: \(disagreements.map(\.name).joined(separator: ", "))")
    }

    /// The kernel's verdict for `object`: `accepted`, the errno of `BPF_PROG_LOAD` with the log's last line, or
    /// `loader` when our loader refuses the object before the verifier runs.
    static func kernelVerdict(_ object: ObjectFile, kernel: KernelBTF) -> (String, String) {
        do {
            _ = try KernelObjectLoader(object, name: "corpus").load(kernelBTF: kernel)
            return ("accepted", "")
        } catch {
            guard error.kind == .kernelCall, let kernelError = error.kernelError, kernelError.command == .programLoad
            else { return ("loader", error.message) }
            let lines = (kernelError.log ?? "").split(separator: "\n").map(String.init)
            // The reason is the last line before the summary ("processed N insns ..."), as the kernel prints it.
            let reason = lines.last { !$0.hasPrefix("processed ") && !$0.hasPrefix("verification time") } ?? ""
            return (kernelError.errno.symbolicName, reason)
        }
    }

    static func kernelRelease() -> String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}

extension Duration {
    /// Whole milliseconds, for the table.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
