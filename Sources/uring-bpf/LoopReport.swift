import BPFJIT
import Foundation
import Uring
import UringBPF

/// How a `run` ended and what it left behind, printed for people or as JSON.
struct LoopReport {
    var program: String
    var mode: LoopMode
    var result: Result<LoopStatistics, LoopError>
    var statistics: LoopStatistics
    var globals: [LoopGlobal]
    /// User mode: the engine that ran the program and why it is not the one asked for, if it is not.
    var engine: (engine: ExecutionEngine, fallbackReason: String?)?
    /// The MEM region's user address range, so pointers into it print as `@mem+N` (the same in every run).
    var mem: Range<UInt64>?

    /// `@mem+N` for a pointer into MEM, else the formatted value.
    func value(_ g: LoopGlobal) -> String {
        if g.size == 8, let v = g.integer?.bitPattern, let mem, mem.contains(v) {
            return v == mem.lowerBound ? "@mem" : "@mem+\(v - mem.lowerBound)"
        }
        return g.formattedValue
    }

    /// 0, or the negative errno of the run.
    var returnCode: Int32 {
        switch result {
        case .success: 0
        case .failure(let e): e.result
        }
    }

    /// What the program reported in its globals by convention: a non-zero `error` (the first -errno) or `errors` (a
    /// count of failed requests); nil when it reported nothing.
    var reportedErrors: String? {
        let reported = globals.filter { ($0.name == "error" || $0.name == "errors") && $0.integer != nil && $0.integer?.bitPattern != 0 }
        return reported.isEmpty ? nil : reported.map { "\($0.name) = \($0.formattedValue)" }.joined(separator: ", ")
    }

    var text: String {
        var lines: [String] = []
        switch result {
        case .success:
            lines.append("\(program): result 0 (\(mode) mode)")
        case .failure(let error):
            lines.append("\(program): result -\(error.errno.symbolicName) (\(error.result), \(mode) mode): \(error.message)")
        }
        lines.append("  \(statistics)" + (engine.map { e in
            ", engine \(e.engine)" + (e.fallbackReason.map { " (the JIT cannot run here: \($0))" } ?? "")
        } ?? ""))
        for g in globals {
            lines.append("  \(g.section) \(g.name) = \(value(g))")
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        var object: [String: Any] = [
            "program": program, "mode": mode.rawValue, "result": Int(returnCode),
            "statistics": [
                "steps": Self.json(statistics.steps), "waits": Self.json(statistics.waits),
                "syscalls": statistics.syscalls, "sqes_submitted": Self.json(statistics.sqesSubmitted),
                "cqes_produced": statistics.cqesProduced, "instructions": Self.json(statistics.instructions),
            ] as [String: Any],
            "globals": globals.map { g -> [String: Any] in
                var entry: [String: Any] = ["section": g.section, "name": g.name, "size": g.size]
                if value(g).hasPrefix("@mem") {
                    entry["value"] = value(g)
                } else if let v = g.integer {
                    switch v {
                    case .signed(let n): entry["value"] = NSNumber(value: n)
                    case .unsigned(let n): entry["value"] = NSNumber(value: n)
                    }
                } else {
                    entry["bytes"] = g.bytes.map { String(format: "%02x", $0) }.joined()
                }
                return entry
            },
        ]
        if let engine {
            object["engine"] = engine.engine.rawValue
            if let why = engine.fallbackReason { object["engine_fallback"] = why }
        }
        if case .failure(let e) = result {
            object["error"] = e.description
            object["errno"] = e.errno.symbolicName
        }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// A counter kernel mode cannot observe is null.
    private static func json(_ value: Int?) -> Any { value.map { $0 as Any } ?? NSNull() }
}
