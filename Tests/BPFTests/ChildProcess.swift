import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs `executable` with `arguments` and waits for it: its exit status (128 + N for signal N) and its standard
/// output (standard error too, with `mergingStandardError`). posix_spawn, not Foundation's `Process`, whose `run()`
/// leaks a weak reference each time (LeakSanitizer reports it under `swift test --sanitize=address`).
func runChild(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
              mergingStandardError: Bool = false) throws -> (status: Int32, output: String) {
    let outputPath = NSTemporaryDirectory() + "uring-bpf-child-\(UUID().uuidString)"
    defer { unlink(outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    if mergingStandardError { posix_spawn_file_actions_adddup2(&actions, 1, 2) }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0)=\($1)") } + [nil]
    defer { for p in envp { free(p) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard spawned == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(executable): \(String(cString: strerror(spawned)))"])
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // (Not FileManager.contents(atPath:): on an empty file it leaks its buffer.)
    let data = FileHandle(forReadingAtPath: outputPath)?.readDataToEndOfFile() ?? Data()
    let output = String(decoding: data, as: UTF8.self)
    return (status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
}
