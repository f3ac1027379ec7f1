import ArgumentParser
import BPF
import BPFJIT

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `uring-bpf bench vm`: CPU-bound BPF programs in the interpreter and the JIT, with the same computation in
/// native Swift, measured side by side (interleaved samples, best of five).
struct BenchVMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm",
        abstract: "BPF engine speed: ns per run and per executed instruction, interpreter and JIT vs native Swift."
    )

    @Option(help: "Minimum measuring time per program and engine, in milliseconds.")
    var milliseconds: Int = 400

    func validate() throws {
        do throws(NumericOptionError) {
            try NumericOptions.checkMilliseconds(milliseconds, option: "--milliseconds", what: "measuring time")
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var seed: UInt64 = 0x9e37_79b9_7f4a_7c15
        for i in 0..<buffer.count {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            buffer[i] = UInt8(truncatingIfNeeded: seed >> 56)
        }
        let histogram = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 4, alignment: 16)
        defer { histogram.deallocate() }
        let data = UInt64(UInt(bitPattern: buffer.baseAddress))
        let hist = UInt64(UInt(bitPattern: histogram.baseAddress))
        let words = buffer.bindMemory(to: UInt16.self)
        let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: buffer.count)
        let counts = histogram.bindMemory(to: UInt32.self)

        let cases: [BenchCase] = [
            BenchCase(
                name: "checksum 64 KiB", source: Self.checksum, args: (data, UInt64(buffer.count), 0),
                native: { Self.nativeChecksum(words) }),
            BenchCase(
                name: "primes < 5000 (%)", source: Self.primes, args: (5000, 0, 0),
                native: { Self.nativePrimes(5000) }),
            BenchCase(
                name: "fibonacci 100k", source: Self.fibonacci, args: (100_000, 0, 0),
                native: { Self.nativeFibonacci(100_000) }),
            BenchCase(
                name: "byte histogram 64 KiB", source: Self.histogram, args: (data, UInt64(buffer.count), hist),
                native: { Self.nativeHistogram(bytes, counts) }, before: { histogram.initializeMemory(as: UInt8.self, repeating: 0) }),
        ]

        if let reason = ExecutionEngine.jitUnavailableReason { print("JIT unavailable, both columns interpret: \(reason)") }
        print("                                   interpreter           JIT          native        ratios")
        print("program                insns/run   ns/run  ns/insn   ns/run  ns/insn   ns/run   interp/native  JIT/native  interp/JIT")
        for bench in cases {
            let program = try Program(Assembler.assemble(bench.source))
            let runners = [ExecutionEngine.interpreter, .jit].map { engine in
                let runner = ProgramRunner(program: program, engine: engine)
                runner.memory.grant(MemoryRegion(name: "data", buffer: UnsafeRawBufferPointer(buffer)))
                runner.memory.grant(MemoryRegion(name: "histogram", buffer: histogram, permissions: .readWrite))
                return runner
            }
            bench.before()
            let nativeResult = bench.native()
            for runner in runners {
                bench.before()
                let result = try runner.run(bench.args.0, bench.args.1, bench.args.2)
                guard result == nativeResult else {
                    throw ValidationError("\(bench.name): \(runner.engine) returned \(result), native \(nativeResult)")
                }
            }
            let instructions = runners[0].instructionsExecuted
            guard runners.allSatisfy({ $0.instructionsExecuted == instructions }) else {
                throw ValidationError("\(bench.name): the engines counted different instruction totals")
            }
            var bodies: [() throws -> Void] = runners.map { runner in
                {
                    bench.before()
                    _ = try runner.run(bench.args.0, bench.args.1, bench.args.2)
                }
            }
            bodies.append {
                bench.before()
                _ = bench.native()
            }
            let ns = try measureInterleaved(milliseconds, bodies)
            let (interpreted, compiled, native) = (ns[0], ns[1], ns[2])
            let line = [
                bench.name + String(repeating: " ", count: max(0, 21 - bench.name.count)),
                pad(String(instructions), 11), pad(format(interpreted, 0), 9), pad(format(interpreted / Double(instructions), 2), 9),
                pad(format(compiled, 0), 9), pad(format(compiled / Double(instructions), 2), 9), pad(format(native, 0), 9),
                pad(format(interpreted / native, 1) + "x", 16), pad(format(compiled / native, 2) + "x", 12),
                pad(format(interpreted / compiled, 1) + "x", 12),
            ].joined()
            print(line)
        }
        // What every run costs regardless of length (register reset, checks): matters for short loop steps.
        let trivial = try Program(Assembler.assemble("mov %r0, 0\nexit"))
        let overheads = try measureInterleaved(milliseconds, [ExecutionEngine.interpreter, .jit].map { engine in
            let runner = ProgramRunner(program: trivial, engine: engine)
            return { _ = try runner.run() }
        })
        print("per-run overhead (2-instruction program): interpreter \(format(overheads[0], 1)) ns, JIT \(format(overheads[1], 1)) ns")
    }

    struct BenchCase {
        var name: String
        var source: String
        var args: (UInt64, UInt64, UInt64)
        var native: () -> UInt64
        var before: () -> Void = {}
    }

    /// Best-of-5 mean ns per call of each body, the bodies' samples interleaved so that load and clock changes
    /// hit them alike; each sample runs for `milliseconds / 5`.
    func measureInterleaved(_ milliseconds: Int, _ bodies: [() throws -> Void]) throws -> [Double] {
        var best = [Double](repeating: .infinity, count: bodies.count)
        for _ in 0..<5 {
            for (i, body) in bodies.enumerated() {
                var runs = 0
                let start = now()
                var elapsed: UInt64 = 0
                repeat {
                    try body()
                    runs += 1
                    elapsed = now() - start
                } while elapsed < UInt64(milliseconds) * 200_000
                best[i] = min(best[i], Double(elapsed) / Double(runs))
            }
        }
        return best
    }

    func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }

    func format(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if decimals == 0 { return String(Int(rounded)) }
        let text = String(rounded)
        let fraction = text.split(separator: ".").last.map(String.init) ?? ""
        return text + String(repeating: "0", count: max(0, decimals - fraction.count))
    }

    // r1 = data, r2 = length: 16-bit ones'-complement style sum (folded at the end).
    static let checksum = """
        mov %r0, 0
        mov %r3, %r1
        add %r3, %r2
        loop:
        ldxh %r4, [%r1]
        add %r0, %r4
        add %r1, 2
        jlt %r1, %r3, loop
        mov %r4, %r0
        rsh %r4, 16
        and %r0, 0xffff
        add %r0, %r4
        exit
        """

    static func nativeChecksum(_ words: UnsafeMutableBufferPointer<UInt16>) -> UInt64 {
        var sum: UInt64 = 0
        for w in words { sum &+= UInt64(w) }
        return (sum & 0xffff) &+ (sum >> 16)
    }

    // r1 = limit: number of primes below it, by trial division with `%`.
    static let primes = """
        mov %r0, 0
        mov %r6, %r1
        mov %r1, 2
        outer:
        mov %r2, 2
        inner:
        mov %r3, %r2
        mul %r3, %r2
        jgt %r3, %r1, prime
        mov %r4, %r1
        mod %r4, %r2
        jeq %r4, 0, next
        add %r2, 1
        ja inner
        prime:
        add %r0, 1
        next:
        add %r1, 1
        jlt %r1, %r6, outer
        exit
        """

    static func nativePrimes(_ limit: UInt64) -> UInt64 {
        var count: UInt64 = 0
        var n: UInt64 = 2
        while n < limit {
            var d: UInt64 = 2
            var prime = true
            while d &* d <= n {
                if n % d == 0 {
                    prime = false
                    break
                }
                d &+= 1
            }
            if prime { count &+= 1 }
            n &+= 1
        }
        return count
    }

    // r1 = n: fib(n) modulo 2^64.
    static let fibonacci = """
        mov %r0, 0
        mov %r2, 1
        loop:
        mov %r3, %r0
        add %r3, %r2
        mov %r0, %r2
        mov %r2, %r3
        sub %r1, 1
        jne %r1, 0, loop
        exit
        """

    static func nativeFibonacci(_ n: UInt64) -> UInt64 {
        var a: UInt64 = 0
        var b: UInt64 = 1
        for _ in 0..<n {
            (a, b) = (b, a &+ b)
        }
        return a
    }

    // r1 = data, r2 = length, r3 = 256 x u32 counts: byte histogram; returns the count of byte 0.
    static let histogram = """
        mov %r4, %r1
        add %r4, %r2
        loop:
        ldxb %r5, [%r1]
        lsh %r5, 2
        add %r5, %r3
        ldxw %r0, [%r5]
        add %r0, 1
        stxw [%r5], %r0
        add %r1, 1
        jlt %r1, %r4, loop
        ldxw %r0, [%r3]
        exit
        """

    static func nativeHistogram(_ bytes: UnsafeBufferPointer<UInt8>, _ counts: UnsafeMutableBufferPointer<UInt32>)
        -> UInt64
    {
        for b in bytes { counts[Int(b)] &+= 1 }
        return UInt64(counts[0])
    }
}
