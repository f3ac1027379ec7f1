import Foundation
import UringBPF

#if canImport(Glibc)
import Glibc
#endif

/// `run`'s progress line on standard error while a run lasts, redrawn once a second, when standard error is a
/// terminal; erased when the run ends, so the report follows as if it had not been there.
///
/// It shows the elapsed time only: the loop's step and CQE counters are not readable while it runs (UringLoop
/// publishes its statistics when a run ends).
final class RunProgress: Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private let erased = DispatchSemaphore(value: 0)
    private let isShown: Bool

    /// Starts showing progress for `program`, if standard error is a terminal.
    init(program: String, mode: LoopMode) {
        isShown = isatty(STDERR_FILENO) == 1
        guard isShown else { return }
        let start = ContinuousClock.now
        Thread.detachNewThread { [stopped, erased] in
            var drawn = false
            while stopped.wait(timeout: .now() + 1) == .timedOut {
                let seconds = (ContinuousClock.now - start).components.seconds
                Self.write("\r\(program) (\(mode) mode): running for \(seconds) s; Ctrl-C ends the run and prints the report\u{1b}[K")
                drawn = true
            }
            if drawn { Self.write("\r\u{1b}[K") }
            erased.signal()
        }
    }

    /// Stops and erases the line (before the report is printed).
    func stop() {
        guard isShown else { return }
        stopped.signal()
        erased.wait()
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
