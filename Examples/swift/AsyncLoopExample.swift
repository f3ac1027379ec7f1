// An example Swift program: runs the bundled nops_seq loop program from Swift concurrency, with a timeout and task
// cancellation, and resumes it until it finishes.
//
//   swift run async-loop-example
import BPFObject
import UringBPF
import UringBPFExamples

@main
struct AsyncLoopExample {
    static func main() async throws {
        let total: UInt32 = 200_000
        var options = LoopOptions()  // auto mode: the kernel runs the loop where it can (Linux 7.1+), else user mode
        options.globals = [("nr_nops", .integer(Int128(total)))]
        options.timeout = .milliseconds(100)  // each run ends after 100 ms at most; the program keeps its state
        let object = try ObjectFile(bytes: UringBPFExamples.named("nops_seq")!.bytes)
        let loop = try UringLoop(object: object, options: options)
        let completed = GlobalName<UInt32>("nops_completed")
        print("nops_seq in \(loop.mode) mode, \(total) NOPs")

        // Cancel the task that awaits the run: the run ends within milliseconds with .cancelled.
        let task = Task { try await loop.run() }
        try await Task.sleep(for: .milliseconds(10))
        task.cancel()
        switch await task.result {
        case .success: print("finished before the cancellation")
        case .failure(let error as LoopError) where error.kind == .cancelled:
            print("cancelled after \(try loop.globals.value(completed)) NOPs: \(error.message)")
        case .failure(let error): throw error
        }

        // Run again until STOP: every run resumes where the last one ended.
        var runs = 1
        while try await runOnce(loop) == nil {
            if runs == 1 { print("run 1 timed out at \(try loop.globals.value(completed)) NOPs; resuming until done") }
            runs += 1
        }
        print("run \(runs) returned STOP: \(loop.lastStatistics)")
        let done = try loop.globals.value(completed)
        print("\(done) NOPs completed, error \(try loop.globals.value("error", as: Int32.self))")
        guard done == total else { fatalError("expected \(total) completed NOPs, got \(done)") }
    }

    /// Runs `loop` once; nil when the run ended early because of its timeout (it can be resumed).
    static func runOnce(_ loop: UringLoop) async throws -> LoopStatistics? {
        do {
            return try await loop.run()
        } catch {
            guard error.kind == .timedOut else { throw error }
            return nil
        }
    }
}
