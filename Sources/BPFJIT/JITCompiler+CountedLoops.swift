import BPF

/// Counted loops (`CountedLoop`) run in batches: at the batch entry, the fuel says how many whole iterations it
/// pays for (K = fuel / length, as none of them may take it below zero), which bounds the counter at
/// `counter + K * step`; the batch runs iterations while the counter is below both that and the loop's own
/// end, `unrollFactor` at a time while a whole block fits, charging the fuel per block and never checking it.
/// When the batch ends, the back edge is decided as usual: a loop that goes on runs one iteration of the
/// guarded copy, which charges and refuels (with the budget and cancellation checks) exactly where the
/// interpreter does, and comes back to the batch entry. The counter does not wrap: the guard checked that.
extension JITCompiler {
    static let unrollFactor = 4
    /// Fuel above this (or negative, which compares above it unsigned) goes to the guarded copy; the fuel is
    /// at most `JITRunner.checkInterval` (2^16) anyway. Below it, `fuel * reciprocal >> 32` is exactly
    /// `fuel / length` for every length under 2^15 (see `batchReciprocal`).
    static let batchFuelLimit: Int32 = 1 << 17

    /// ceil(2^32 / length): for n < 2^17 and length < 2^15, n * this = n * 2^32 / length + n * e / length with
    /// e < length, an error below 2^17 / 2^32 < 1 / length, too small to reach the next multiple.
    static func batchReciprocal(_ length: Int) -> UInt64 {
        ((1 << 32) + UInt64(length) - 1) / UInt64(length)
    }

    /// Emits the batches of `loop`, entered at the current position; `guarded` is where the guarded copy's
    /// first iteration starts and `exit` the slot after the back edge.
    mutating func emitBatches(_ loop: GuardedLoop, _ counted: CountedLoop, guarded: X86Label, exit: X86Label) {
        let counter = reg(counted.counter), fuel = Self.fuel
        let limit = contextField(\.batchLimit), unrolledLimit = contextField(\.unrolledLimit)
        let shift = UInt8(counted.step.trailingZeroBitCount)
        // Unroll only where a block's charge and steps fit 32-bit immediates (folded steps are small).
        let unroll = Self.unrollFactor * counted.length < Int(Self.batchFuelLimit)
            && Int32(exactly: Int64(counted.step) * Int64(Self.unrollFactor - 1)) != nil
        // K, then K * step + counter into r11.
        asm.alu(.cmp, fuel, immediate: Self.batchFuelLimit)
        asm.jcc(.above, guarded)
        asm.mov(Self.scratch, fuel)
        asm.mov(Self.scratch2, immediate: Self.batchReciprocal(counted.length))
        asm.imul(Self.scratch, Self.scratch2)
        asm.shift(.shr, Self.scratch, by: 32)
        asm.jcc(.equal, guarded)  // not one whole iteration
        if shift > 0 { asm.shift(.shl, Self.scratch, by: shift) }
        // The loop's end E (the counter value at which the back edge is not taken) into r9; the batch limit is
        // min(E, counter + K * step), E if that sum wraps.
        if counted.strict {
            asm.mov(Self.scratch2, reg(counted.bound))
        } else {
            asm.lea(Self.scratch2, X86Memory(reg(counted.bound), 1))  // no wrap: the guard checked bound + step
        }
        asm.alu(.add, Self.scratch, counter)
        asm.cmov(.below, Self.scratch, Self.scratch2)  // carry
        asm.alu(.cmp, Self.scratch, Self.scratch2)
        asm.cmov(.above, Self.scratch, Self.scratch2)
        asm.store(limit, Self.scratch, .qword)
        let remainder = asm.makeLabel(), ended = asm.makeLabel()
        if unroll {
            // A block of n iterations fits while counter + (n - 1) * step < limit; 0 (never) if that borrows.
            let fits = asm.makeLabel(), block = asm.makeLabel()
            asm.alu(.sub, Self.scratch, immediate: counted.step * Int32(Self.unrollFactor - 1))
            asm.jcc(.aboveOrEqual, fits)
            asm.alu(.xor, Self.scratch, Self.scratch, .dword)
            asm.bind(fits)
            asm.store(unrolledLimit, Self.scratch, .qword)
            asm.alu(.cmp, counter, Self.scratch)
            asm.jcc(.aboveOrEqual, remainder)
            asm.align(Self.loopAlignment)
            asm.bind(block)
            emitBatchBody(loop, counted, copies: Self.unrollFactor)
            asm.alu(.sub, fuel, immediate: Int32(Self.unrollFactor * counted.length))
            asm.alu(.cmp, counter, unrolledLimit)
            asm.jcc(.below, block)
            asm.alu(.cmp, counter, limit)
            asm.jcc(.aboveOrEqual, ended)
        }
        asm.align(Self.loopAlignment)
        asm.bind(remainder)
        emitBatchBody(loop, counted, copies: 1)
        asm.alu(.sub, fuel, immediate: Int32(counted.length))
        asm.alu(.cmp, counter, limit)
        asm.jcc(.below, remainder)
        // The back edge as the interpreter takes it; the fuel is not negative, so a taken one needs no refuel.
        asm.bind(ended)
        asm.jcc(compare(slots[loop.backEdge]), guarded)
        asm.jmp(exit)
    }

    /// `copies` iterations of the body (without the back edge), unchecked and uncharged: a folded register's
    /// add becomes the offset of the accesses after it, and one add at the end; so do the accumulator's adds.
    private mutating func emitBatchBody(_ loop: GuardedLoop, _ counted: CountedLoop, copies: Int) {
        var displacement: [UInt8: Int32] = [:]
        let partialSum = copies > 1 ? counted.accumulator : nil
        var summing = false
        for _ in 0..<copies {
            var i = loop.header
            while i < loop.backEdge {
                var s = slots[i]
                if let step = counted.folded[s.dst], s.op == .add64K {
                    displacement[s.dst, default: 0] += step
                } else if s.dst == partialSum {  // `acc += x` (the only way the body touches acc)
                    if summing { asm.alu(.add, Self.scratch, reg(s.src)) } else { asm.mov(Self.scratch, reg(s.src)) }
                    summing = true
                } else {
                    if let base = LoopAnalysis.memoryBase(s), let d = displacement[base] { s.off += d }
                    emit(s, at: i)
                }
                i += s.op == .lddw ? 2 : 1
            }
        }
        if let acc = partialSum, summing { asm.alu(.add, reg(acc), Self.scratch) }
        for (r, d) in displacement.sorted(by: { $0.key < $1.key }) { asm.alu(.add, reg(r), immediate: d) }
    }
}
