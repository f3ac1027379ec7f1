/// Whether this process can run JIT code, found out once by mapping and running a tiny function.
enum JITAvailability {
    /// Why JIT code cannot run on this architecture, or nil on x86-64.
    static var architectureProblem: String? {
        #if arch(x86_64)
        return nil
        #else
        return "the JIT emits x86-64 code and this machine is not x86-64"
        #endif
    }

    /// nil if the JIT works here; otherwise why not. Probed once: maps `mov eax, 42; ret` the way programs are
    /// mapped and calls it.
    static let problem: String? = {
        if let architectureProblem { return architectureProblem }
        do throws(JITUnavailable) {
            let memory = try ExecutableMemory([0xB8, 42, 0, 0, 0, 0xC3])
            typealias Probe = @convention(c) () -> Int32
            let result = unsafeBitCast(memory.base, to: Probe.self)()
            return result == 42 ? nil : "a probe function returned \(result) instead of 42"
        } catch {
            return error.reason
        }
    }()
}
