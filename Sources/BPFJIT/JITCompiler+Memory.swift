import BPF

/// Loads, stores and atomics, each behind the same check as the interpreter's.
extension JITCompiler {
    /// Emits the check that a `size`-byte access of `kind` at `base + offset` is allowed; the code emitted next
    /// runs only if it is.
    ///
    /// An access through r10 inside the current frame (`-512 <= offset <= -size`) is always allowed, so it has no
    /// check. An access through a base register known when compiling tests its site's flag (one compare); any
    /// other compares the base register with its site's window (two compares, no scratch register); a miss goes
    /// out of line to the stack window, then to Swift, which finds the region in the map
    /// (refilling the window) or stops the run with the interpreter's error.
    mutating func emitAccessCheck(at index: Int, base: UInt8, offset: Int32, size: Int, kind: AccessKind) {
        if base == 10 && offset >= -Self.frameSize && Int(offset) + size <= 0 { return }
        if case .fast(let loop, _) = copy, loop.accesses.contains(where: { $0.index == index }) { return }
        if case .group(let group) = copy, group.members.contains(index) { return }
        let site = siteNumber(index: index, size: size, kind: kind, offset: offset)
        let b = reg(base)
        let window = JITContext.siteWindowOffset(site)
        let miss = asm.makeLabel(), resume = asm.makeLabel()
        if sites[site].isConstant {
            asm.alu(.cmp, X86Memory(Self.context, window + AccessSiteWindow.allowedOffset), immediate: 0)
            asm.jcc(.equal, miss)
        } else {
            asm.alu(.cmp, b, X86Memory(Self.context, window))
            asm.jcc(.below, miss)
            asm.alu(.cmp, b, X86Memory(Self.context, window + 8))
            asm.jcc(.above, miss)
        }
        asm.bind(resume)
        stubs.append(.accessMiss(entry: miss, resume: resume, site: site, base: b, offset: offset, size: size))
    }

    /// The site number of the memory instruction at `index`, allocated at its first use.
    mutating func siteNumber(index: Int, size: Int, kind: AccessKind, offset: Int32) -> Int {
        if let site = siteNumbers[index] { return site }
        // A guarded loop's sites keep range windows (its guard fills them); none has a constant base anyway, as
        // its header starts with nothing known.
        let hoisted = guardedLoops.values.contains { $0.accesses.contains { $0.index == index } }
        sites.append(AccessSite(
            index: index, size: size, kind: kind, offset: offset, isConstant: constantBases[index] != nil && !hoisted))
        siteNumbers[index] = sites.count - 1
        return sites.count - 1
    }

    mutating func emitLoad(_ s: Slot, at index: Int) {
        let (width, signed): (X86Width, Bool) =
            switch s.op {
            case .ldxb: (.byte, false)
            case .ldxh: (.word, false)
            case .ldxw: (.dword, false)
            case .ldxdw: (.qword, false)
            case .ldxsb: (.byte, true)
            case .ldxsh: (.word, true)
            default: (.dword, true)
            }
        emitAccessCheck(at: index, base: s.src, offset: s.off, size: width.rawValue, kind: .load)
        let m = X86Memory(reg(s.src), s.off)
        if signed { asm.loadSignExtended(reg(s.dst), m, width) } else { asm.load(reg(s.dst), m, width) }
    }

    mutating func emitStore(_ s: Slot, at index: Int) {
        let (width, isX): (X86Width, Bool) =
            switch s.op {
            case .stb: (.byte, false)
            case .stxb: (.byte, true)
            case .sth: (.word, false)
            case .stxh: (.word, true)
            case .stw: (.dword, false)
            case .stxw: (.dword, true)
            case .stdw: (.qword, false)
            default: (.qword, true)
            }
        emitAccessCheck(at: index, base: s.dst, offset: s.off, size: width.rawValue, kind: .store)
        let m = X86Memory(reg(s.dst), s.off)
        if isX { asm.store(m, reg(s.src), width) } else { asm.store(m, immediate: immediate(s), width) }
    }

    /// Atomics are `lock`ed x86 instructions (sequentially consistent, like the interpreter's). They need a
    /// read-write region and an address aligned to their size, checked in that order.
    mutating func emitAtomic(_ s: Slot, at index: Int) {
        let is64: Bool =
            switch s.op {
            case .atomic64Add, .atomic64Or, .atomic64And, .atomic64Xor, .atomic64FetchAdd, .atomic64FetchOr,
                .atomic64FetchAnd, .atomic64FetchXor, .atomic64Xchg, .atomic64Cmpxchg:
                true
            default: false
            }
        let width: X86Width = is64 ? .qword : .dword
        emitAccessCheck(at: index, base: s.dst, offset: s.off, size: width.rawValue, kind: .atomic)
        let misaligned = asm.makeLabel()
        asm.lea(Self.scratch, X86Memory(reg(s.dst), s.off))
        asm.test(Self.scratch, immediate: Int32(width.rawValue - 1), .dword)
        asm.jcc(.notEqual, misaligned)
        stubs.append(.misaligned(entry: misaligned, index: index))
        let m = X86Memory(reg(s.dst), s.off)
        let src = reg(s.src)
        switch s.op {
        case .atomic32Add, .atomic64Add: asm.lockedALU(.add, m, src, width)
        case .atomic32Or, .atomic64Or: asm.lockedALU(.or, m, src, width)
        case .atomic32And, .atomic64And: asm.lockedALU(.and, m, src, width)
        case .atomic32Xor, .atomic64Xor: asm.lockedALU(.xor, m, src, width)
        case .atomic32FetchAdd, .atomic64FetchAdd: asm.lockXadd(m, src, width)
        case .atomic32FetchOr, .atomic64FetchOr: fetchLoop(.or, s, width)
        case .atomic32FetchAnd, .atomic64FetchAnd: fetchLoop(.and, s, width)
        case .atomic32FetchXor, .atomic64FetchXor: fetchLoop(.xor, s, width)
        case .atomic32Xchg, .atomic64Xchg: asm.xchg(m, src, width)
        default:  // cmpxchg: r0 is the expected value and receives the old one (zero-extended if 32-bit)
            asm.lockCmpxchg(m, src, width)
            if width == .dword { asm.mov(.rax, .rax, .dword) }
        }
    }

    /// Fetch-or/and/xor have no single x86 instruction: a `cmpxchg` loop, with r0 (rax, which `cmpxchg` uses)
    /// parked in r9; `src` receives the old value.
    private mutating func fetchLoop(_ op: X86ALU, _ s: Slot, _ width: X86Width) {
        let src = reg(s.src), dst = reg(s.dst)
        asm.mov(Self.scratch2, .rax)
        let m = X86Memory(dst == .rax ? Self.scratch2 : dst, s.off)
        let value = src == .rax ? Self.scratch2 : src
        asm.load(.rax, m, width)
        let retry = asm.makeLabel()
        asm.bind(retry)
        asm.mov(Self.scratch, .rax, width)
        asm.alu(op, Self.scratch, value, width)
        asm.lockCmpxchg(m, Self.scratch, width)
        asm.jcc(.notEqual, retry)
        if src != .rax {
            asm.mov(src, .rax, width)
            asm.mov(.rax, Self.scratch2)
        }
    }
}
