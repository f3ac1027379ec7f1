// bpf_conformance plugin: see ../shared/docs/bpf-conformance.md.
//
//   bpf-conformance-plugin [<memory hex>] [--engine jit|interpreter] [--interpret] [--elf]  < program hex
//   bpf-conformance-plugin --assemble  < uBPF assembly        (prints the program hex; for Scripts/conformance)
//
// Memory and program are hex bytes ("aa  bb  "); prints r0 in hex and exits 0, or prints one error line and exits 1.
// The engine is the JIT unless `--engine interpreter` or `--interpret` (uBPF's plugin option) says otherwise; where
// the JIT cannot run, the program is interpreted and the reason goes to stderr.
import BPF
import BPFJIT

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

func fail(_ message: String) -> Never {
    let line = message + "\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(1)
}

func parseHex(_ text: some StringProtocol, what: String) -> [UInt8] {
    var bytes: [UInt8] = []
    for token in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
        guard let byte = UInt8(token, radix: 16) else { fail("invalid \(what) byte '\(token)'") }
        bytes.append(byte)
    }
    return bytes
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["--assemble"] {
    var source = ""
    while let line = readLine(strippingNewline: false) { source += line }
    do {
        let bytes = Instruction.encode(try Assembler.assemble(source))
        print(bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) + "  " }.joined())
        exit(0)
    } catch {
        fail("Failed to assemble: \(error)")
    }
}
var memoryBytes: [UInt8] = []
if let first = arguments.first, !first.hasPrefix("--") {
    memoryBytes = parseHex(first, what: "memory")
    arguments.removeFirst()
}
var engine = ExecutionEngine.default
var options = arguments.makeIterator()
while let option = options.next() {
    switch option {
    case "--interpret", "--interpreter": engine = .interpreter
    case "--engine":
        guard let name = options.next(), let chosen = ExecutionEngine(rawValue: name) else {
            fail("--engine needs one of: \(ExecutionEngine.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        engine = chosen
    case "--elf": fail("ELF input is not supported by this plugin (the BPF engine takes raw bytecode)")
    default: fail("unknown option '\(option)'")
    }
}

var input = ""
while let line = readLine(strippingNewline: false) { input += line }
let bytecode = parseHex(input, what: "program")

let program: Program
do {
    program = try ConformanceRun.load(try Instruction.decode(bytecode))
} catch {
    fail("Failed to load code: \(error)")
}
do {
    let r0 = try ConformanceRun.run(memory: memoryBytes) { map, r1, r2 throws(RuntimeError) in
        let runner = ProgramRunner(program: program, functions: ConformanceRun.functions, memory: map, engine: engine)
        if let reason = runner.fallbackReason {
            let line = "JIT unavailable, interpreting: \(reason)\n"
            _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        }
        return try runner.run(r1, r2)
    }
    print(String(r0, radix: 16))
} catch {
    fail(error.description)
}
