import BPFObject
import Foundation
import Testing
import UringBPF
import UringBPFExamples

/// Loads a bundled example object.
func example(_ name: String) throws -> BPFObject {
    guard let e = UringBPFExamples.named(name) else { throw LoopError.badArgument("no example \(name)") }
    return try BPFObject(bytes: e.bytes)
}

@Suite("Bundled examples run in user mode")
struct ExampleLoopTests {
    @Test func sequentialNops() throws {
        var options = LoopOptions()
        options.mode = .user
        options.globals = [("nr_nops", .integer(500))]
        let loop = try UringLoop(object: try example("nops_seq"), options: options)
        let stats = try loop.run()
        let g = try #require(loop.globals)
        #expect(g.integer("error") == 0)
        #expect(g.integer("nops_completed") == 500)
        #expect(g.integer("nops_submitted") == 500)
        #expect(stats.sqesSubmitted == 500)
        #expect(stats.cqesProduced == 500)
        // One dependent NOP per step, one submit syscall per NOP, no sleeping: NOPs complete inline.
        #expect(stats.waits == 0)
        #expect(stats.syscalls == 500)
    }
}
