#if canImport(Glibc)
import Glibc
#endif
import BPFObject
import Foundation
import Testing
import UringBPF

/// The modes loops can run in here: user everywhere, and kernel where the kernel has io_uring_bpf_ops (the
/// 7.x VM). With URING_BPF_REQUIRE_KERNEL_LOOP=1 (set in the VM) kernel mode is required, never skipped.
let loopModes: [LoopMode] =
    KernelLoopSupport.probe().available || ProcessInfo.processInfo.environment["URING_BPF_REQUIRE_KERNEL_LOOP"] == "1"
    ? [.user, .kernel] : [.user]

/// A loop for test program `name` in `mode`, with 16 SQ / 32 CQ entries unless `configure` changes them.
func userLoop(_ name: String, mode: LoopMode = .user, _ configure: (inout LoopOptions) -> Void = { _ in }) throws -> UringLoop {
    var options = LoopOptions()
    options.mode = mode
    configure(&options)
    return try UringLoop(object: try LoopTestPrograms.object(name), options: options)
}

/// The errno a failed run returned, or nil if it succeeded.
func runErrno(_ loop: UringLoop) -> Int32? {
    do {
        _ = try loop.run()
        return nil
    } catch {
        return error.errno.rawValue
    }
}

extension GlobalVariables {
    /// The integer value of `name` as an Int64 (bits as stored), for comparisons in tests.
    func integer(_ name: String) -> Int64? {
        variable(named: name)?.integer.map { Int64(bitPattern: $0.bitPattern) }
    }
}

/// A temporary file holding `bytes`; removed by `cleanup`.
func temporaryFile(_ bytes: [UInt8] = [], suffix: String = "") throws -> String {
    let path = NSTemporaryDirectory() + "uring-bpf-test-\(UUID().uuidString)\(suffix)"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Deterministic pseudo-random bytes.
func testBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}
