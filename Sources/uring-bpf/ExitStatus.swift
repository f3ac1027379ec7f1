import ArgumentParser
import BPFObject
import UringBPF

/// The CLI's exit statuses, as `uring-bpf --help` documents them.
enum ExitStatus {
    /// The loop failed: the run ended without IOU_LOOP_STOP, the program reported an error (by convention, a
    /// non-zero global `error` or `errors`), or its results could not be written.
    static let loopFailed: Int32 = 1
    /// The program could not be loaded: an unreadable or malformed object, refused by the kernel or our loader, or
    /// a mode this machine does not have.
    static let notLoaded: Int32 = 2
    /// Bad options (sysexits' EX_USAGE, as ArgumentParser uses for its own usage errors).
    static let usage: Int32 = 64

    /// How the help texts say it.
    static let documentation = """
        Exit status: 0 success; 1 the loop failed (the run ended without IOU_LOOP_STOP, the program reported an \
        error in a non-zero global `error` or `errors`, or its results could not be written); 2 the program could not be loaded (unreadable or malformed object, refused by the kernel or \
        the loader, mode unavailable); 64 bad options.
        """

    /// The status for an error that ended a command, or nil for ArgumentParser's own (help, usage, ExitCode).
    static func of(_ error: any Error) -> Int32? {
        switch error {
        case let error as LoopError:
            switch error.kind {
            case .badArgument: usage
            case .loadFailed, .modeUnavailable: notLoaded
            case .runFailed, .programFault, .interrupted, .timedOut, .cancelled: loopFailed
            }
        case is ObjectInputError, is ObjectFileError: notLoaded
        default: nil
        }
    }
}
